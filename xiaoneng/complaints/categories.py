"""The complaint categories shipped by default (the office may change them on the admin pages). Each is an
Open311 service with service_code = code, in the group 效能投诉."""

CATEGORIES = [
    ("TS-MNJ", "门难进", "窗口空岗、无人接待、找不到负责人、办事指引不清"),
    ("TS-LNK", "脸难看", "服务态度生硬、冷漠、推搡、出言不逊"),
    ("TS-SNB", "事难办", "符合条件不予办理、设置隐性门槛、要求提供清单外材料"),
    ("TS-TWCP", "推诿扯皮", "部门之间相互推诿、踢皮球、多次往返仍未解决"),
    ("TS-CSBL", "超时办理", "超过承诺时限或法定时限未办结、拖延不办"),
    ("TS-CNKY", "吃拿卡要", "索要财物、吃请、刁难、故意卡压"),
    ("TS-LSF", "乱收费", "收取目录外费用、超标准收费、指定中介收费"),
    ("TS-WFCX", "违反程序", "未一次性告知、程序倒置、未出具书面决定"),
    ("TS-GZJL", "工作纪律", "迟到早退、上班时间玩手机、脱岗串岗"),
    ("TS-BZW", "不作为慢作为", "对反映的问题不回应、不处理、敷衍塞责"),
    ("TS-QT", "其他效能问题", "其他影响机关效能和营商环境的问题"),
]


def categories_ensure(model=None) -> int:
    """Create the default categories that are missing (the data migration calls this; so can a test whose
    database was flushed). Existing categories, edited by the office, are left alone. Returns how many were made."""
    if model is None:
        from .models import ComplaintCategory as model
    made = 0
    for i, (code, name, description) in enumerate(CATEGORIES):
        _, created = model.objects.get_or_create(code=code, defaults={"name": name, "description": description,
                                                                      "sort_order": i + 1})
        made += created
    return made
