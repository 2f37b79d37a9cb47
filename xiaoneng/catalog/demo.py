"""Demo catalogue: realistic Chinese service items for the departments of a demo county.

`seed_catalog` picks items by the kind of department (read from its name: 市场监管, 自然资源, 住建 …),
writes them with bulk_create (400 items with their materials, fees and steps in a few seconds), and is
deterministic for a given `rng` seed. Codes are `<department code>-<nnn>` numbered per department, so they
are stable per seed; codes that already exist are skipped, which makes a second call harmless.
"""

from __future__ import annotations

import random
from datetime import datetime

from xiaoneng.accounts.models import Department
from xiaoneng.catalog.models import (
    Audience,
    Category,
    FeeRule,
    ItemType,
    LimitUnit,
    RequiredMaterial,
    ServiceItem,
    ServiceItemVersion,
    StepKind,
    SuspensionReason,
    WorkflowStep,
)

L, C, P, PS = Category.LICENSING, Category.CONFIRMATION, Category.PAYMENT, Category.PUBLIC_SERVICE

# kind -> (name keywords, [(item name, category, statutory wd, result, [specific materials], fee or None)])
CATALOGUE: dict[str, tuple[tuple[str, ...], list[tuple]]] = {
    "market": (("市场监督", "市场监管"), [
        ("食品经营许可证核发", L, 20, "食品经营许可证", ["食品安全管理制度文本", "经营场所平面布局图", "食品安全管理人员健康证明"], None),
        ("食品生产许可证核发", L, 20, "食品生产许可证", ["食品生产加工场所及其周围环境平面图", "食品生产主要设备、设施清单", "工艺流程图"], None),
        ("个体工商户设立登记", C, 15, "营业执照", ["经营场所使用证明", "经营者身份证明"], None),
        ("企业设立登记", C, 15, "营业执照", ["公司章程", "法定代表人任职文件", "住所使用证明", "股东主体资格证明"], None),
        ("食品小作坊登记", C, 15, "食品小作坊登记证", ["生产场所平面图", "从业人员健康证明"], None),
        ("特种设备使用登记", L, 15, "特种设备使用登记证", ["特种设备产品合格证", "监督检验证明", "安全管理人员资格证书"], None),
        ("药品零售企业许可", L, 30, "药品经营许可证", ["执业药师注册证", "营业场所平面布局图", "质量管理文件目录"], None),
        ("计量器具型式批准", L, 20, "计量器具型式批准证书", ["样机照片", "产品标准", "型式评价报告"],
         ("计量器具型式评价费", "《计量法实施细则》第四十三条", None, (300, 3000), "台")),
    ]),
    "land": (("自然资源", "国土"), [
        ("建设用地规划许可证核发", L, 20, "建设用地规划许可证", ["建设项目批准、核准或备案文件", "建设用地红线图", "规划条件"], None),
        ("建设工程规划许可证核发", L, 20, "建设工程规划许可证", ["建设工程设计方案总平面图", "使用土地的有关证明文件", "建设工程设计方案"], None),
        ("乡村建设规划许可证核发", L, 20, "乡村建设规划许可证", ["村民委员会意见", "宅基地批准文件", "建房设计图"], None),
        ("不动产首次登记", C, 30, "不动产权证书", ["不动产权属来源材料", "地籍调查表、宗地图", "完税凭证"],
         ("不动产登记费", "《财政部 国家发展改革委关于不动产登记收费有关政策问题的通知》（财税〔2016〕79号）", 80, None, "件")),
        ("不动产转移登记", C, 30, "不动产权证书", ["不动产权属证书", "买卖合同", "完税凭证"],
         ("不动产登记费", "《财政部 国家发展改革委关于不动产登记收费有关政策问题的通知》（财税〔2016〕79号）", 80, None, "件")),
        ("临时用地审批", L, 20, "临时用地批准文件", ["土地复垦方案", "临时使用土地合同"], None),
    ]),
    "fund": (("公积金",), [  # before "housing": 住房公积金管理中心 contains 住房
        ("住房公积金提取", P, 5, "提取款项到账", ["提取申请书", "购房合同或租房证明", "本人银行卡"], None),
        ("住房公积金个人住房贷款", P, 15, "贷款审批通知", ["借款申请书", "购房合同", "婚姻状况证明", "收入证明"], None),
        ("住房公积金缴存登记", PS, 3, "缴存登记信息", ["单位缴存登记表", "营业执照"], None),
    ]),
    "development": (("发展和改革", "发改"), [
        ("企业投资项目核准", L, 20, "项目核准批复", ["项目申请报告", "城乡规划选址意见", "用地预审意见"], None),
        ("企业投资项目备案", C, 5, "项目备案证明", ["项目备案信息表", "企业营业执照"], None),
        ("固定资产投资项目节能审查", L, 20, "节能审查意见", ["节能报告", "项目备案或核准文件"], None),
    ]),
    "environment": (("生态环境", "环境保护"), [
        ("建设项目环境影响报告表审批", L, 20, "环境影响报告表批复", ["环境影响报告表", "建设项目环评审批申请书"], None),
        ("排污许可证核发", L, 20, "排污许可证", ["排污许可证申请表", "污染防治设施说明", "自行监测方案"], None),
        ("危险废物经营许可", L, 20, "危险废物经营许可证", ["危险废物经营设施说明", "环境应急预案", "技术人员证明"], None),
    ]),
    "water": (("水利",), [
        ("取水许可", L, 20, "取水许可证", ["取水许可申请书", "建设项目水资源论证报告"], None),
        ("生产建设项目水土保持方案审批", L, 20, "水土保持方案批复", ["水土保持方案报告书", "项目立项文件"], None),
        ("河道管理范围内建设项目工程建设方案审批", L, 20, "工程建设方案审批意见", ["工程建设方案", "防洪评价报告"], None),
    ]),
    "agriculture": (("农业农村",), [
        ("农药经营许可证核发", L, 20, "农药经营许可证", ["农药经营场所证明", "农药经营人员培训证明"], None),
        ("兽药经营许可证核发", L, 20, "兽药经营许可证", ["兽药经营场所证明", "质量管理制度"], None),
        ("动物防疫条件合格证核发", L, 20, "动物防疫条件合格证", ["场所平面图", "动物防疫制度"], None),
        ("农村土地承包经营权流转备案", C, 10, "流转备案回执", ["流转合同", "承包经营权证"], None),
    ]),
    "culture": (("文化", "旅游"), [
        ("娱乐场所经营许可证核发", L, 20, "娱乐经营许可证", ["娱乐场所平面图", "消防安全检查意见", "法定代表人身份证明"], None),
        ("营业性演出审批", L, 3, "营业性演出批准文件", ["演出节目内容材料", "演出场所合同"], None),
        ("旅行社业务经营许可证核发", L, 20, "旅行社业务经营许可证", ["经营场所证明", "营业设施清单", "质量保证金存缴证明"], None),
        ("互联网上网服务营业场所经营单位设立审批", L, 20, "网络文化经营许可证", ["营业场所产权或租赁证明", "计算机信息网络安全管理制度"], None),
    ]),
    "emergency": (("应急",), [
        ("危险化学品经营许可证核发", L, 30, "危险化学品经营许可证", ["安全生产管理制度", "安全评价报告", "从业人员培训合格证明"], None),
        ("烟花爆竹经营（零售）许可证核发", L, 20, "烟花爆竹经营（零售）许可证", ["零售场所平面图", "安全管理制度"], None),
    ]),
    "insurance": (("医疗保障", "医保"), [
        ("异地就医备案", PS, 1, "备案信息", ["异地就医备案表", "居民身份证或社会保障卡"], None),
        ("医疗费用手工报销", P, 20, "报销款项到账", ["医疗费用票据", "费用明细清单", "出院小结"], None),
        ("门诊慢特病待遇认定", C, 15, "待遇认定结果", ["病历资料", "检查报告"], None),
    ]),
    "forestry": (("林业",), [
        ("林木采伐许可证核发", L, 20, "林木采伐许可证", ["林木采伐申请书", "林木权属证明", "伐区调查设计"], None),
        ("使用林地审核", L, 20, "使用林地审核同意书", ["使用林地申请表", "使用林地可行性报告"], None),
        ("林草种子生产经营许可证核发", L, 20, "林草种子生产经营许可证", ["生产经营场所证明", "种子检验设备清单"], None),
    ]),
    "urban": (("城市管理", "城管"), [
        ("户外广告设施设置审批", L, 20, "户外广告设施设置许可", ["户外广告设施设计图", "设置场地使用证明"], None),
        ("临时占用城市道路审批", L, 10, "临时占用城市道路许可", ["占道位置示意图", "交通组织方案"], None),
        ("城市绿化树木迁移审批", L, 20, "树木迁移许可", ["树木迁移方案", "现场照片"], None),
    ]),
    "tax": (("税务",), [
        ("增值税一般纳税人登记", C, 5, "一般纳税人登记信息", ["增值税一般纳税人登记表"], None),
        ("清税申报（注销税务登记）", C, 20, "清税证明", ["清税申报表", "发票缴销证明"], None),
        ("代开增值税发票", PS, 1, "增值税发票", ["代开发票申请表", "合同或收款证明"], None),
    ]),
    "fire": (("消防",), [
        ("公众聚集场所投入使用、营业前消防安全检查", L, 10, "消防安全检查合格证", ["消防安全检查申报表", "消防安全制度", "场所平面布置图"], None),
        ("建设工程消防验收备案", C, 15, "消防验收备案凭证", ["消防验收备案表", "工程竣工验收报告"], None),
    ]),
    "science": (("科学技术",), [
        ("科技型中小企业评价", C, 20, "科技型中小企业入库编号", ["企业评价信息表", "研发费用明细"], None),
        ("技术合同认定登记", C, 5, "技术合同登记证明", ["技术合同文本", "技术合同登记表"], None),
    ]),
    "industry": (("工业和信息化", "经济和信息化"), [
        ("工业企业技术改造项目备案", C, 5, "项目备案通知书", ["项目备案申请表", "项目可行性报告"], None),
        ("新型墙体材料认定", C, 20, "新型墙体材料认定证书", ["产品检测报告", "生产工艺说明"], None),
    ]),
    "justice": (("司法局",), [
        ("法律援助申请", PS, 7, "法律援助决定书", ["法律援助申请表", "经济困难状况说明", "与案件有关的材料"], None),
        ("人民调解申请", PS, 3, "调解受理通知", ["调解申请书", "纠纷情况说明"], None),
    ]),
    "commerce": (("商务局",), [
        ("对外贸易经营者备案登记", C, 5, "对外贸易经营者备案登记表", ["备案登记表", "营业执照"], None),
        ("单用途商业预付卡备案", C, 10, "备案回执", ["备案表", "资金存管协议"], None),
    ]),
    "disability": (("残疾人",), [
        ("残疾人证核发", C, 20, "残疾人证", ["残疾人证申请表", "残疾评定结论", "近期免冠照片"], None),
        ("残疾人辅助器具适配补贴申请", P, 15, "补贴发放通知", ["残疾人证", "适配评估意见"], None),
    ]),
    "housing": (("住房", "住建", "城乡建设"), [
        ("建筑工程施工许可证核发", L, 15, "建筑工程施工许可证", ["建设工程规划许可证", "施工合同", "施工图设计文件审查合格书", "质量安全监督手续"], None),
        ("商品房预售许可", L, 10, "商品房预售许可证", ["国有土地使用权证", "建设工程规划许可证", "商品房预售方案"], None),
        ("建设工程竣工验收备案", C, 15, "竣工验收备案表", ["工程竣工验收报告", "规划、消防验收文件", "施工单位工程质量保修书"], None),
        ("城市建筑垃圾处置核准", L, 20, "建筑垃圾处置核准文件", ["建筑垃圾处置方案", "运输车辆行驶证"], None),
        ("公共租赁住房资格审核", C, 20, "公共租赁住房资格确认通知", ["家庭收入证明", "住房情况证明", "户口簿"], None),
        ("建筑业企业资质核准", L, 20, "建筑业企业资质证书", ["企业资质申请表", "技术负责人资格证明", "主要人员社保证明"], None),
    ]),
    "civil": (("民政局", "民政事务"), [
        ("内地居民婚姻登记", C, 1, "结婚证", ["居民户口簿", "居民身份证", "本人无配偶及与对方无直系血亲关系的签字声明"], None),
        ("最低生活保障审核确认", P, 30, "低保待遇核定通知", ["家庭成员收入证明", "家庭财产状况授权核查书", "户口簿"], None),
        ("社会团体成立登记", L, 60, "社会团体法人登记证书", ["章程草案", "业务主管单位批准文件", "验资报告", "住所使用证明"], None),
        ("养老机构备案", C, 10, "养老机构备案回执", ["养老机构备案书", "养老机构承诺书", "服务场所权属证明"], None),
        ("困难残疾人生活补贴发放", P, 20, "补贴发放通知", ["残疾人证", "低保证明"], None),
        ("收养登记", C, 30, "收养登记证", ["收养申请书", "收养人居民户口簿和身份证", "被收养人出生证明"], None),
        ("民办非企业单位成立登记", L, 60, "民办非企业单位登记证书", ["章程草案", "业务主管单位批准文件", "场所使用权证明"], None),
    ]),
    "labour": (("人力资源", "人社", "社会保障"), [
        ("失业保险金申领", P, 20, "失业保险金核定", ["解除或终止劳动关系证明", "社会保障卡"], None),
        ("职工基本养老保险参保登记", PS, 5, "参保登记信息", ["营业执照", "职工身份证明"], None),
        ("就业创业证申领", PS, 5, "就业创业证", ["居民身份证", "近期免冠照片"], None),
        ("劳务派遣经营许可", L, 20, "劳务派遣经营许可证", ["验资报告", "经营场所使用证明", "劳务派遣管理制度"], None),
        ("职业技能等级证书补发", PS, 10, "职业技能等级证书", ["补发申请表", "居民身份证"], None),
        ("工伤认定", C, 60, "工伤认定决定书", ["工伤认定申请表", "劳动关系证明", "医疗诊断证明"], None),
        ("人力资源服务许可", L, 20, "人力资源服务许可证", ["经营场所证明", "专职工作人员资格证明", "服务管理制度"], None),
    ]),
    "police": (("公安",), [
        ("户口迁移（投靠）", C, 10, "户口迁移证明", ["居民户口簿", "居民身份证", "亲属关系证明", "合法稳定住所证明"], None),
        ("居民身份证换领", C, 60, "居民身份证", ["原居民身份证", "居民户口簿"],
         ("居民身份证工本费", "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）", 20, None, "证")),
        ("出生登记", C, 1, "户口登记", ["出生医学证明", "父母居民户口簿", "父母结婚证"], None),
        ("居住证申领", C, 15, "居住证", ["居民身份证", "居住证明", "近期免冠照片"], None),
        ("剧毒化学品购买许可", L, 3, "剧毒化学品购买许可证", ["营业执照", "购买用途说明", "经办人身份证明"], None),
        ("旅馆业特种行业许可证核发", L, 20, "特种行业许可证", ["旅馆平面图", "治安保卫制度", "消防安全检查意见"], None),
        ("机动车注册登记", C, 5, "机动车登记证书", ["机动车来历证明", "机动车整车出厂合格证明", "交通事故责任强制保险凭证"], None),
        ("临时居民身份证申领", C, 3, "临时居民身份证", ["居民户口簿", "近期免冠照片"], None),
    ]),
    "health": (("卫生", "卫健"), [
        ("医疗机构执业登记", L, 45, "医疗机构执业许可证", ["设置医疗机构批准书", "医疗机构用房产权证明", "验资证明", "医疗机构规章制度"], None),
        ("公共场所卫生许可", L, 20, "公共场所卫生许可证", ["卫生检测报告", "卫生管理制度", "从业人员健康合格证明"], None),
        ("医师执业注册", L, 20, "医师执业证书", ["医师资格证书", "身体健康证明", "拟执业机构聘用证明"], None),
        ("生育登记服务", PS, 1, "生育登记信息", ["夫妻双方居民身份证", "结婚证"], None),
        ("放射诊疗许可", L, 20, "放射诊疗许可证", ["放射诊疗设备清单", "放射防护检测报告", "放射工作人员培训证明"], None),
    ]),
    "transport": (("交通",), [
        ("道路货物运输经营许可", L, 20, "道路运输经营许可证", ["车辆技术等级评定", "驾驶人员从业资格证", "安全生产管理制度"], None),
        ("道路运输从业人员从业资格证核发", L, 10, "从业资格证", ["机动车驾驶证", "考试合格证明"],
         ("从业资格考试费", "省发展改革委、省财政厅关于道路运输从业人员考试收费标准的通知", 70, None, "人次")),
        ("超限运输车辆行驶公路许可", L, 15, "超限运输车辆通行证", ["车辆行驶证", "货物说明", "行驶路线方案"], None),
        ("出租汽车驾驶员从业资格注册", C, 5, "注册信息", ["从业资格证", "劳动合同"], None),
        ("道路旅客运输经营许可", L, 20, "道路运输经营许可证", ["客运车辆技术等级评定", "驾驶人员从业资格证", "安全生产管理制度"], None),
        ("机动车维修经营备案", C, 5, "备案回执", ["维修经营备案表", "维修场所使用证明"], None),
    ]),
    "education": (("教育",), [
        ("民办学校设立审批", L, 90, "办学许可证", ["举办者资格证明", "学校章程", "校舍证明", "资产来源证明"], None),
        ("教师资格认定", C, 30, "教师资格证书", ["体检合格证明", "学历证书", "普通话水平测试等级证书"], None),
        ("校外培训机构审批", L, 30, "办学许可证", ["培训方案", "场地使用证明", "消防验收意见"], None),
        ("义务教育学生转学", PS, 5, "转学联系单", ["户口簿", "学籍信息表"], None),
    ]),
    "township": (("乡镇", "镇人民政府", "乡人民政府", "街道", "便民服务中心"), [
        ("农村宅基地审批", L, 20, "农村宅基地批准书", ["农村宅基地和建房（规划许可）申请表", "村民小组意见", "户口簿"], None),
        ("计划生育家庭特别扶助金申请", P, 30, "扶助金发放", ["独生子女父母光荣证", "户口簿", "死亡或伤残证明"], None),
        ("高龄老人津贴申领", P, 15, "津贴发放", ["居民身份证", "银行账户信息"], None),
        ("农村五保供养审批", P, 30, "五保供养证", ["户口簿", "村民委员会评议意见"], None),
        ("临时救助申请", P, 10, "救助金发放", ["困难情况说明", "家庭收入证明"], None),
        ("居民医保参保登记", PS, 1, "参保信息", ["居民身份证或户口簿"], None),
        ("城乡居民养老保险参保登记", PS, 1, "参保信息", ["居民身份证或户口簿"], None),
        ("农村危房改造补助申请", P, 20, "补助发放", ["危房鉴定意见", "家庭困难情况证明", "户口簿"], None),
    ]),
    "general": ((), [
        ("政府信息公开申请", PS, 20, "政府信息公开答复书", ["政府信息公开申请表"], None),
        ("行政事业性收费减免申请", C, 15, "减免决定书", ["减免申请书", "相关证明材料"], None),
        ("档案查询利用", PS, 3, "档案复制件", ["查档介绍信或委托书"], None),
    ]),
}
VARIANTS = ("", "（变更）", "（延续）", "（注销）", "（补证）")
RENEWAL = "（延续）"
# Which variants an item has depends on what it issues: a licence with a term (许可证, 登记证) is changed,
# renewed, cancelled and replaced; a certificate without a term (证书) only changed and replaced. Everything
# else (an approval document, a benefit, a registration record) has no variants — "政府信息公开申请（变更）"
# and "内地居民婚姻登记（延续）" once filled the public guide list.
VARIANTS_BY_RESULT = (("许可证", VARIANTS), ("登记证", VARIANTS), ("证书", ("", "（变更）", "（补证）")))
# Licences for a single purchase or event: nothing to change, renew or cancel.
NO_VARIANTS = {"剧毒化学品购买许可"}
RENEWAL_DEEMED_BASIS = (
    "《中华人民共和国行政许可法》第五十条第二款：行政机关应当根据被许可人的申请，在该行政许可有效期届满前作出是否准予"
    "延续的决定；逾期未作决定的，视为准予延续。"
)
COMMON_MATERIALS = [
    ("申请书（申请表）", RequiredMaterial.Source.APPLICANT),
    ("申请人身份证明", RequiredMaterial.Source.GOVERNMENT),
    ("营业执照", RequiredMaterial.Source.GOVERNMENT),
    ("授权委托书及受托人身份证明", RequiredMaterial.Source.APPLICANT),
]
CONDITIONS = {
    "营业执照": "申请人为企业或个体工商户的",
    "法定代表人身份证明": "申请人为法人或其他组织的",
    "场地租赁合同": "经营场所为租赁的",
    "现场照片": "需要现场核查的",
    "情况说明": "申请材料与实际情况不一致需要说明的",
    "相关资质证明": "法律法规要求具备相应资质的",
    "检测（检验）报告": "涉及产品质量或安全性能的",
    "婚姻状况证明": "已婚的",
    "死亡或伤残证明": "申请独生子女伤残、死亡家庭扶助的",
    "低保证明": "属于最低生活保障对象的",
}
STREETS = ("人民路", "解放路", "中山路", "建设路", "新华街", "文化路")


def _kind_of(dept: Department) -> str:
    # Townships first: "人民政府" contains "民政", which must not make every township a civil-affairs bureau.
    if dept.kind in (Department.Kind.TOWNSHIP, Department.Kind.VILLAGE):
        return "township"
    name = dept.name + dept.short_name
    for kind, (keywords, _items) in CATALOGUE.items():
        if any(k in name for k in keywords):
            return kind
    return "general"


def seed_catalog(*, departments: list[Department], rng: random.Random, count: int, now: datetime) -> int:
    """Create about `count` demo service items spread over `departments` (round-robin, items chosen by
    each department's kind), each with one version valid from `now`. Returns how many were created.
    Deterministic for a given rng state; existing codes are skipped."""
    if not departments or count <= 0:
        return 0
    existing = set(ServiceItem.objects.values_list("code", flat=True))
    offers = {d.pk: _offer(_kind_of(d)) for d in departments}
    counters = {d.pk: 0 for d in departments}
    planned = []
    made = 0
    while made < count:
        progressed = False
        for dept in departments:
            n = counters[dept.pk]
            if made >= count or n >= len(offers[dept.pk]):
                continue  # a department has only the items its kind really has: no "（1类）" copies
            counters[dept.pk] += 1
            made += 1
            progressed = True
            template, variant = offers[dept.pk][n]
            # Draw from the rng for every planned item, created or skipped, so the same seed gives the same
            # content for the same code whatever already exists.
            spec = _spec(rng, dept, template, variant)
            code = f"{dept.code}-{n + 1:03d}"
            if code not in existing:
                planned.append((code, dept, spec))
        if not progressed:
            break
    if not planned:
        return 0

    items = ServiceItem.objects.bulk_create(
        [ServiceItem(code=code, department=dept, created_at=now, is_active=True) for code, dept, _s in planned]
    )
    versions = ServiceItemVersion.objects.bulk_create(
        [ServiceItemVersion(item=item, number=1, valid_from=now, change_note="初始目录", **spec["version"])
         for item, (_c, _d, spec) in zip(items, planned, strict=True)]
    )
    materials, fees, steps = [], [], []
    for version, (_c, _d, spec) in zip(versions, planned, strict=True):
        materials += [RequiredMaterial(version=version, position=i, **m) for i, m in enumerate(spec["materials"], 1)]
        fees += [FeeRule(version=version, position=i, **f) for i, f in enumerate(spec["fees"], 1)]
        steps += [WorkflowStep(version=version, position=i, **s) for i, s in enumerate(spec["steps"], 1)]
    RequiredMaterial.objects.bulk_create(materials, batch_size=1000)
    FeeRule.objects.bulk_create(fees, batch_size=1000)
    WorkflowStep.objects.bulk_create(steps, batch_size=1000)
    for item, version in zip(items, versions, strict=True):
        item.current_version = version
    ServiceItem.objects.bulk_update(items, ["current_version"], batch_size=500)
    return len(items)


def _offer(kind: str) -> list[tuple[tuple, str]]:
    """The items a department of `kind` offers, in the order it gets them: every item of its kind first,
    then the variants of its licences (VARIANTS_BY_RESULT)."""
    templates = CATALOGUE[kind][1]
    out = [(t, "") for t in templates]
    for variant in VARIANTS[1:]:
        for t in templates:
            allowed = next((v for ending, v in VARIANTS_BY_RESULT if t[3].endswith(ending)), ())
            if t[1] == Category.LICENSING and variant in allowed and t[0] not in NO_VARIANTS:
                out.append((t, variant))
    return out


def _spec(rng: random.Random, dept: Department, template: tuple, variant: str) -> dict:
    base_name, category, statutory, result, specific, fee = template
    name = base_name + variant
    roll = rng.random()
    if statutory <= 1 or (category == Category.PUBLIC_SERVICE and roll < 0.5):
        item_type = ItemType.INSTANT
    elif roll < 0.12:
        item_type = ItemType.JOINT
    elif roll < 0.22:
        item_type = ItemType.REFERRED
    else:
        item_type = ItemType.COMMITTED
    if item_type == ItemType.JOINT:
        statutory = max(statutory, 45)  # 行政许可法 §42: unified handling 45 wd
    if item_type == ItemType.INSTANT:
        committed, c_unit = 0, LimitUnit.WORKING_DAYS
    else:
        # Departments promise less than the law allows, often about half (the seeds' 160 → 95 wd story).
        committed = max(1, min(statutory - 1 if statutory > 1 else 1, round(statutory * rng.uniform(0.25, 0.7))))
        c_unit = LimitUnit.WORKING_DAYS
    licensing = category == Category.LICENSING
    renewal = licensing and variant == RENEWAL
    reasons = []
    if item_type != ItemType.INSTANT and rng.random() < 0.6:
        reasons = [SuspensionReason.SUPPLEMENT]
        if licensing:
            reasons += rng.sample([SuspensionReason.HEARING, SuspensionReason.TESTING, SuspensionReason.EXPERT_REVIEW,
                                   SuspensionReason.SITE_SURVEY, SuspensionReason.PUBLIC_NOTICE], k=rng.randint(0, 2))
        reasons.sort(key=SuspensionReason.values.index)
    online = rng.random() < 0.85
    short = dept.short_name or dept.name
    audience = rng.choice([Audience.PERSON, Audience.ORGANISATION, Audience.BOTH])
    if licensing:
        rng.random()  # the draw that once decided deemed approval at random: kept, so a seed gives the same rest
    version = {
        "name": name,
        "category": category,
        "item_type": item_type,
        "audience": audience,
        "description": f"{short}依申请办理“{base_name}”事项。",
        "conditions": "申请材料齐全、符合法定形式；申请人具备相应条件。",
        "legal_basis": _basis(category, base_name),
        "statutory_limit_value": statutory,
        "statutory_limit_unit": LimitUnit.WORKING_DAYS,
        "committed_limit_value": committed,
        "committed_limit_unit": c_unit,
        "suspension_allowed": bool(reasons),
        "suspension_reasons": [str(r) for r in reasons],
        # 超时默许 only where the law provides it: a licence's renewal (延续), 行政许可法 §50 ¶2.
        "deemed_approval": renewal,
        "deemed_approval_basis": RENEWAL_DEEMED_BASIS if renewal else "",
        "online": online,
        "offline": True,
        "online_url": "https://zwfw.example.gov.cn/item/" if online else "",
        "max_visits": 0 if online and rng.random() < 0.3 else 1,
        "location": f"县政务服务中心{rng.randint(1, 3)}楼{short}窗口（{rng.choice(STREETS)}{rng.randint(1, 300)}号）",
        "office_hours": "工作日 上午9:00-12:00，下午13:30-17:30（法定节假日除外）",  # the calendar's hours
        "phone": f"0571-{rng.randint(80000000, 89999999)}",
        "complaint_phone": "12345",
        "result": result,
    }
    materials = _materials(rng, specific)
    fees = []
    if fee is not None:
        fee_name, basis, amount, bounds, unit = fee
        fees.append({"name": fee_name, "legal_basis": basis, "amount": amount, "amount_min": bounds and bounds[0],
                     "amount_max": bounds and bounds[1], "unit": unit, "note": "小微企业免收" if rng.random() < 0.3 else ""})
    return {"version": version, "materials": materials, "fees": fees, "steps": _steps(rng, item_type, committed)}


def _basis(category: str, name: str) -> str:
    if category == Category.LICENSING:
        return "《中华人民共和国行政许可法》第十二条；" + f"相关法律法规关于“{name}”的规定。"
    if category == Category.PAYMENT:
        return "《社会救助暂行办法》；省、市有关社会救助和福利政策的规定。"
    if category == Category.CONFIRMATION:
        return f"相关法律、行政法规关于“{name}”登记、确认的规定。"
    return "《优化营商环境条例》第三十五条；本级政务服务事项目录。"


def _materials(rng: random.Random, specific: list[str]) -> list[dict]:
    names = [(COMMON_MATERIALS[0][0], COMMON_MATERIALS[0][1]), (COMMON_MATERIALS[1][0], COMMON_MATERIALS[1][1])]
    names += [(s, RequiredMaterial.Source.APPLICANT) for s in specific]
    extra = rng.randint(0, 4)
    pool = ["现场照片", "相关资质证明", "承诺书", "情况说明", "检测（检验）报告", "场地租赁合同", "法定代表人身份证明"]
    names += [(p, RequiredMaterial.Source.INTERMEDIARY if "报告" in p else RequiredMaterial.Source.APPLICANT)
              for p in rng.sample(pool, k=extra)]
    out = []
    for name, source in names[:12]:
        # Only a material that some applicants need and others do not can be conditional, with the condition
        # that says who ("申请书（申请表）" required only "委托他人办理的" made no sense).
        condition = CONDITIONS.get(name, "") if rng.random() < 0.5 else ""
        conditional = bool(condition)
        out.append({
            "name": name,
            "form": rng.choice([RequiredMaterial.Form.ORIGINAL, RequiredMaterial.Form.COPY, RequiredMaterial.Form.BOTH]),
            "copies": rng.choice([1, 1, 1, 2]),
            "requirement": RequiredMaterial.Requirement.CONDITIONAL if conditional else RequiredMaterial.Requirement.MANDATORY,
            "condition": condition,
            "source": source,
            "note": "可通过数据共享获取，免于提交" if source == RequiredMaterial.Source.GOVERNMENT and rng.random() < 0.5 else "",
        })
    out.append({"name": COMMON_MATERIALS[3][0], "form": RequiredMaterial.Form.ORIGINAL, "copies": 1,
                "requirement": RequiredMaterial.Requirement.CONDITIONAL, "condition": "委托代理人办理的",
                "source": RequiredMaterial.Source.APPLICANT, "note": ""})
    return out


def _steps(rng: random.Random, item_type: str, committed: int) -> list[dict]:
    if item_type == ItemType.INSTANT:
        return [
            {"kind": StepKind.ACCEPT, "name": "受理", "limit_value": 0, "limit_unit": LimitUnit.WORKING_DAYS,
             "post": "综合窗口", "description": "材料齐全的当场受理"},
            {"kind": StepKind.COMPLETE, "name": "办结", "limit_value": 0, "limit_unit": LimitUnit.WORKING_DAYS,
             "post": "综合窗口", "description": "当场办结并出具结果"},
        ]
    review = max(1, committed // 3)
    approve = max(1, committed // 4)
    steps = [
        {"kind": StepKind.ACCEPT, "name": "受理", "limit_value": 1, "limit_unit": LimitUnit.WORKING_DAYS,
         "post": "综合窗口", "description": "材料不全的一次性告知需补正的全部内容"},
        {"kind": StepKind.REVIEW, "name": "审核", "limit_value": review, "limit_unit": LimitUnit.WORKING_DAYS,
         "post": "业务科室承办人", "description": "审查材料，必要时现场核查"},
        {"kind": StepKind.APPROVE, "name": "批准", "limit_value": approve, "limit_unit": LimitUnit.WORKING_DAYS,
         "post": "分管负责人", "description": "作出准予或不予决定，不予的说明理由"},
        {"kind": StepKind.COMPLETE, "name": "办结", "limit_value": 1, "limit_unit": LimitUnit.WORKING_DAYS,
         "post": "业务科室", "description": "制作证照或决定文书"},
    ]
    if item_type == ItemType.JOINT:
        steps.insert(1, {"kind": StepKind.HANDLE, "name": "并联审查", "limit_value": review,
                         "limit_unit": LimitUnit.WORKING_DAYS, "post": "各联办部门", "description": "相关部门同步审查"})
    if rng.random() < 0.7:
        steps.append({"kind": StepKind.DELIVER, "name": "送达", "limit_value": rng.choice([1, 2, 3]),
                      "limit_unit": LimitUnit.WORKING_DAYS, "post": "综合窗口", "description": "窗口领取或免费邮寄"})
    return steps
