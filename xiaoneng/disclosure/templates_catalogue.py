"""The shipped disclosure catalogue templates (公开目录模板), one per level: what a county's 政务公开目录 lists for a
county department, a township, a village or residents' committee and a public enterprise (办事公开).

A department starts its catalogue from its level's template (services/catalogues.catalogue_create) and edits the
draft before filing it. Each item has a stable `code` (kept across versions: entries follow it), a category
(models.Category), the legal basis it rests on, what is published and how often: finances monthly, the rest
quarterly by default, some on change (机构职能) or yearly (预决算). The legal bases cited:

- 《中华人民共和国政府信息公开条例》（2019年修订）第二十条 (what every administrative body publishes of its own
  accord, items 一 to 十五), 第二十一条 (what county governments, their departments and townships add), 第二十六条
  (within 20 working days of forming or changing), 第五十五条 (public enterprises and institutions);
- 《中华人民共和国预算法》第十四条 (budgets and final accounts public within 20 days of approval);
- 《中华人民共和国行政许可法》第三十条、第四十条; 《中华人民共和国行政处罚法》第四十八条;
- 《中华人民共和国村民委员会组织法》第三十条 (village affairs: general matters at least quarterly, finances monthly
  where there are many transactions, major matters at once);
- 《公共企事业单位信息公开规定制定办法》（国办发〔2020〕50号）.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Category, Frequency, Level

OGI = "《中华人民共和国政府信息公开条例》"
VCL = "《中华人民共和国村民委员会组织法》"


@dataclass(frozen=True)
class TemplateItem:
    """One item of a shipped template: what CatalogueItem rows are made from."""

    code: str
    name: str
    category: str
    legal_basis: str
    content: str
    frequency: str


def _i(code, name, category, basis, content, frequency=Frequency.QUARTERLY) -> TemplateItem:
    return TemplateItem(code, name, str(category), basis, content, str(frequency))


DEPARTMENT = (
    _i("JGZN", "机构职能", Category.FUNCTIONS, f"{OGI}第二十条第（二）项",
       "机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名", Frequency.ON_CHANGE),
    _i("FLFG", "法律法规依据", Category.LEGAL_BASIS, f"{OGI}第二十条第（一）项",
       "本部门执行的法律、法规、规章和制定的规范性文件"),
    _i("BSZN", "办事程序和服务指南", Category.PROCEDURES, f"{OGI}第二十条第（五）项；《中华人民共和国行政许可法》第三十条",
       "行政许可和其他对外管理服务事项的依据、条件、程序、期限、申请材料和办理结果"),
    _i("SFBZ", "收费项目及标准", Category.FEES, f"{OGI}第二十条第（八）项",
       "行政事业性收费项目及其依据、标准"),
    _i("XKJG", "行政许可结果", Category.APPROVALS, f"{OGI}第二十条第（五）项；《中华人民共和国行政许可法》第四十条",
       "准予行政许可的决定"),
    _i("CFJG", "行政处罚结果", Category.APPROVALS, f"{OGI}第二十条第（六）项；《中华人民共和国行政处罚法》第四十八条",
       "具有一定社会影响的行政处罚决定"),
    _i("YJS", "部门预算决算", Category.FINANCES, f"{OGI}第二十条第（七）项；《中华人民共和国预算法》第十四条",
       "部门预算、决算及报表，“三公”经费", Frequency.YEARLY),
    _i("CZSZ", "财政资金收支情况", Category.FINANCES, f"{OGI}第二十条第（七）项",
       "本月财政资金收入、支出和专项资金使用情况", Frequency.MONTHLY),
    _i("ZDJC", "重大决策", Category.DECISIONS, f"{OGI}第二十条第（三）项；《重大行政决策程序暂行条例》",
       "重大行政决策事项、决策草案征求意见和决策结果"),
    _i("ZDXM", "重点项目", Category.PROJECTS, f"{OGI}第二十条第（十）项",
       "重大建设项目的批准和实施情况、政府集中采购项目"),
    _i("RSXX", "人事信息", Category.PERSONNEL, f"{OGI}第二十条第（十四）项",
       "公务员招考和事业单位招聘的职位、名额、报考条件及录用结果，干部任免"),
)

TOWNSHIP = (
    _i("JGZN", "机构职能", Category.FUNCTIONS, f"{OGI}第二十条第（二）项",
       "乡镇（街道）职能、内设机构、办公地址、办公时间、联系方式、负责人姓名", Frequency.ON_CHANGE),
    _i("FLFG", "法律法规依据", Category.LEGAL_BASIS, f"{OGI}第二十条第（一）项",
       "乡镇（街道）执行的法律、法规、规章和规范性文件"),
    _i("BSZN", "便民服务事项和办事指南", Category.PROCEDURES, f"{OGI}第二十条第（五）项",
       "便民服务中心办理事项的依据、条件、程序、期限和办理结果"),
    _i("SFBZ", "收费项目及标准", Category.FEES, f"{OGI}第二十条第（八）项", "行政事业性收费项目及其依据、标准"),
    _i("YJS", "乡镇预算决算", Category.FINANCES, f"{OGI}第二十条第（七）项；《中华人民共和国预算法》第十四条",
       "乡镇预算、决算及报表，“三公”经费", Frequency.YEARLY),
    _i("CZSZ", "财政收支情况", Category.FINANCES, f"{OGI}第二十条第（七）项",
       "本月财政收入、支出和上级专项资金使用情况", Frequency.MONTHLY),
    _i("ZDJC", "重大决策", Category.DECISIONS, f"{OGI}第二十条第（三）项", "重大事项决策过程和结果"),
    _i("ZDXM", "重点项目", Category.PROJECTS, f"{OGI}第二十条第（十）项", "重点建设项目的批准和实施情况"),
    _i("NCGZ", "农村工作和土地征收", Category.OTHER, f"{OGI}第二十一条",
       "农村工作、农田水利工程建设运营、农村土地承包经营权流转、宅基地使用情况审核、土地征收、房屋征收、筹资筹劳"),
    _i("SHJZ", "社会救助", Category.OTHER, f"{OGI}第二十一条",
       "最低生活保障、特困人员供养、临时救助等的对象、标准和发放情况"),
    _i("RSXX", "人事信息", Category.PERSONNEL, f"{OGI}第二十条第（十四）项", "招考招聘和干部任免"),
)

VILLAGE = (
    _i("CWGK", "村务公开", Category.VILLAGE_AFFAIRS, f"{VCL}第三十条第一款第（一）项",
       "村民会议、村民代表会议讨论决定的事项及其实施情况"),
    _i("CWSZ", "村级财务收支", Category.FINANCES, f"{VCL}第三十条第二款",
       "本月村集体财务收入、支出明细（集体财务往来较多的，每月公布一次）", Frequency.MONTHLY),
    _i("HNBT", "惠农补贴", Category.VILLAGE_AFFAIRS, f"{VCL}第三十条第一款第（三）项",
       "政府拨付和接受社会捐赠的救灾救助、补贴补助等资金、物资的管理使用情况"),
    _i("JTZC", "集体资产资源", Category.VILLAGE_AFFAIRS, f"{VCL}第二十四条、第三十条",
       "集体资产、资源的发包、出租、处置和收益分配"),
    _i("XZGZ", "协助政府工作情况", Category.VILLAGE_AFFAIRS, f"{VCL}第三十条第一款第（四）项",
       "村民委员会协助人民政府开展工作的情况"),
    _i("ZDSX", "涉及村民利益的重大事项", Category.DECISIONS, f"{VCL}第三十条第二款",
       "涉及村民利益的重大事项，随时公布", Frequency.ON_CHANGE),
)

ENTERPRISE = (
    _i("FWCN", "服务承诺", Category.SERVICES, f"{OGI}第五十五条；《公共企事业单位信息公开规定制定办法》（国办发〔2020〕50号）",
       "服务内容、服务标准、办理时限和投诉渠道", Frequency.ON_CHANGE),
    _i("SFBZ", "收费标准", Category.FEES, f"{OGI}第五十五条", "收费项目、依据和标准"),
    _i("BSLC", "办事流程", Category.PROCEDURES, f"{OGI}第五十五条",
       "报装、缴费、报修等业务的办理条件、材料、流程和时限"),
    _i("FWZL", "服务质量和投诉处理", Category.SERVICES, f"{OGI}第五十五条",
       "服务质量指标完成情况、投诉受理和处理结果"),
    _i("TZGG", "停复业和计划检修公告", Category.SERVICES, f"{OGI}第五十五条",
       "计划停水停电停气、检修和恢复服务的时间和范围", Frequency.ON_CHANGE),
)

TEMPLATES: dict[str, tuple[TemplateItem, ...]] = {
    Level.DEPARTMENT: DEPARTMENT,
    Level.TOWNSHIP: TOWNSHIP,
    Level.VILLAGE: VILLAGE,
    Level.ENTERPRISE: ENTERPRISE,
}


def template_for(level: str) -> tuple[TemplateItem, ...]:
    """The shipped items of `level` (a models.Level value); KeyError for anything else."""
    return TEMPLATES[level]


def level_for_kind(kind: str) -> str:
    """The catalogue level a department of `kind` (accounts.Department.Kind) starts from: townships and villages
    their own, every other unit the department's. A public enterprise is chosen explicitly (no department kind)."""
    return {"township": Level.TOWNSHIP, "village": Level.VILLAGE}.get(kind, Level.DEPARTMENT)
