"""Every word the clerk reads: field names, the values of choices, and messages. Chinese lives here only."""

# ---------------------------------------------------------------- fields
FIELD_NAME = "姓名"
FIELD_ID = "身份证号"
FIELD_GENDER = "性别"
FIELD_PHONE = "联系电话"
FIELD_JOINED = "入党日期"
FIELD_PROBATION_ENDS = "预备期满日期"
FIELD_DATE = "日期"
FIELD_PERIOD = "所属期"
FIELD_AMOUNT = "金额"
FIELD_DESTINATION = "外出地点"
FIELD_REASON = "外出原因"
FIELD_UNTIL = "预计返回日期"
FIELD_CARD_NO = "活动证编号"
FIELD_ORG = "接收党组织"
FIELD_BRANCH = "编入支部"
FIELD_KIND = "类型"
FIELD_CHANNEL = "联系方式"
FIELD_WHERE = "参加地点"
FIELD_PAID_TO = "交纳至"
FIELD_ORIGIN = "原组织"
FIELD_SINCE = "台账起始月份"
FIELD_REPORT_MONTHS = "汇报周期（月）"
FIELD_EXTEND_TO = "延长预备期至"
FIELD_GROUP = "党小组名称"
FIELD_CITY = "所在城市"
FIELD_MEMBER = "党员"
FIELD_EMPLOYER = "工作单位"
FIELD_UNIT_TYPE = "单位类型"
FIELD_OCCUPATION = "原职业"
FIELD_RECEIPT = "收据号"
FIELD_AS_OF = "审计日期"

# ---------------------------------------------------------------- values
MALE = "男"
FEMALE = "女"
GENDERS = {"男": MALE, "女": FEMALE, "M": MALE, "F": FEMALE, "m": MALE, "f": FEMALE}

FULL = "正式党员"
PROBATIONARY = "预备党员"

STATUS = {"home": "在家", "away": "外出", "inflow": "外来", "transferred": "已转出"}
STATUS_CHOICES = {"home": "home", "away": "away", "inflow": "inflow", "transferred": "transferred",
                  "在家": "home", "外出": "away", "外来": "inflow", "已转出": "transferred"}

REASONS = {r: r for r in ("务工", "经商", "就学", "居住", "其他")}
REPORT_KINDS = {k: k for k in ("思想汇报", "情况汇报")}
CHANNELS = {k: k for k in ("电话", "微信", "走访", "其他")}
ORG_LIFE_KINDS = {k: k for k in ("主题党日", "支部党员大会", "党小组会", "党课", "组织生活会", "民主评议")}
PLACES = {"home": "home", "inflow": "inflow", "流出地": "home", "流入地": "inflow", "本支部": "home"}
PLACE_NAMES = {"home": "流出地（本支部）", "inflow": "流入地"}
PAID_TO = {"home": "home", "inflow": "inflow", "本支部": "home", "流出地": "home", "流入地": "inflow"}
REVIEW_RESULTS = {k: k for k in ("合格", "不合格")}

CONVERTED = "转正"
EXTENDED = "延长预备期"
CANCELLED = "取消预备党员资格"

YES = "是"
NO = "否"

# ---------------------------------------------------------------- parse errors
DATE_FORMS = "日期可写作 2026-03-01、2026/3/1、2026.3.1、20260301 或 2026年3月1日。"
PERIOD_FORMS = "所属期可写作 2026-01、2026年1月、2026-Q1（一季度）或 2026-01..2026-03（区间）。"
AMOUNT_FORMS = "金额以元为单位，最多两位小数，例如 36、36.00、36元、￥36 或 1,200.00。"
ID_HINT = "身份证号为 18 位，最后一位是数字或 X，请与身份证原件核对。"
PHONE_HINT = "手机号为 1 开头的 11 位数字；固定电话请带区号，例如 0574-87654321。"

BAD_DATE = "{field}“{value}”不是有效的日期。"
BAD_MONTH = "{field}“{value}”不是有效的月份或期间。"
PERIOD_REVERSED = "{field}“{value}”的结束月份早于开始月份。"
PERIOD_TOO_LONG = "{field}“{value}”超过 {limit} 个月，请分次登记。"
BAD_AMOUNT = "{field}“{value}”不是有效的金额。"
AMOUNT_NOT_POSITIVE = "{field}“{value}”必须大于零。"
BAD_ID_FORM = "{field}“{value}”格式不对：应为 18 位，前 17 位是数字，最后一位是数字或 X。"
BAD_ID_CHECK = "{field}“{value}”校验位不对，可能抄错了某一位。"
BAD_ID_BIRTH = "{field}“{value}”中的出生日期不存在。"
BAD_PHONE = "{field}“{value}”不是有效的电话号码。"
BAD_CHOICE = "{field}“{value}”不在可选范围内，可选：{allowed}。"
EMPTY_FIELD = "{field}不能为空。"
DATE_IN_FUTURE = "{field}“{value}”晚于今天，请核对。"
DATE_BEFORE = "{field}“{value}”早于{other}“{other_value}”，请核对。"

# ---------------------------------------------------------------- the ledger file
LEDGER_MISSING = "台账文件不存在：{path}"
LEDGER_MISSING_HINT = "请先运行 flowparty init --branch 支部名称 --committee 党委名称 建立台账，或用 --db 指定已有台账；想先看看效果可运行 flowparty demo。"
LEDGER_EXISTS = "台账文件已存在：{path}"
LEDGER_EXISTS_HINT = "不会覆盖已有台账。请换一个文件名（--db），或继续使用这本台账。"
LEDGER_LOCKED = "台账正被另一个程序写入，等待后仍未释放：{path}"
LEDGER_LOCKED_HINT = "请稍后再试；如果没有其他程序在用，请关闭可能打开此文件的窗口。"
LEDGER_DAMAGED = "台账文件已损坏或不是 flowparty 台账：{path}（{detail}）"
LEDGER_DAMAGED_HINT = "请用 flowparty check 检查，或从备份恢复（flowparty backup 生成的副本）。"
LEDGER_TOO_NEW = "台账由更新版本的 flowparty 写入，当前版本不能打开：{path}"
LEDGER_TOO_NEW_HINT = "请升级 flowparty 后再使用这本台账；为保护数据，本程序不会改动它。"
LEDGER_FOREIGN = "这个文件不是 flowparty 台账：{path}"
CONFLICT = "写入台账时与已有记录冲突：{detail}"

# ---------------------------------------------------------------- more fields
FIELD_BRANCH_NAME = "支部名称"
FIELD_COMMITTEE = "基层党委"
FIELD_BIRTH = "出生日期"
FIELD_LEFT_ON = "外出日期"
FIELD_LAST_RETURN = "上次返回日期"
FIELD_RETURNED_ON = "返回日期"
FIELD_TRANSFER_TO = "转入组织"
FIELD_OLD_CARD_ISSUED = "原活动证发放日期"
FIELD_CARD_ISSUED = "活动证发放日期"
FIELD_ARRIVED_ON = "来到本地日期"
FIELD_PAID_ON = "交纳日期"

# ---------------------------------------------------------------- refusals of the steps
BAD_REPORT_MONTHS = "汇报周期“{value}”只能是 12 或 6（个月）。"
BAD_BRANCH_CODE = "支部代码“{value}”只能由数字和字母组成。"
MEMBER_TRANSFERRED = "{name} 的组织关系已转出，不能再登记新的记录。"
MEMBER_CANCELLED = "{name} 已被取消预备党员资格，不能再登记新的记录。"
MEMBER_NOT_FOUND_ID = "台账中没有身份证号为“{value}”的党员。"
MEMBER_NOT_FOUND_NAME = "台账中没有名为“{value}”的党员。"
MEMBER_NOT_FOUND_HINT = "可用 flowparty member list 查看名册，或先用 flowparty member add 登记。"
MEMBER_AMBIGUOUS = "名为“{value}”的党员有 {count} 位：{candidates}。"
MEMBER_AMBIGUOUS_HINT = "请改用身份证号指定是哪一位。"
CANDIDATE = "{name}（{id}，{status}）"
MEMBER_EXISTS = "身份证号 {id} 已在台账中。"
MEMBER_EXISTS_HINT = "同一党员只登记一次；可用 flowparty member show 查看。"
GENDER_MISMATCH = "性别“{gender}”与身份证号 {id} 不符（身份证号显示为{id_gender}）。"
PROBATION_END_NEEDED = "预备党员需要填写入党日期（--joined）或预备期满日期（--probation-ends）。"
PROBATION_END_FOR_FULL = "只有预备党员才有预备期满日期，请加上 --probationary。"
NOT_AWAY = "{name} 目前不是外出流动党员（当前：{status}）。"
NOT_AWAY_HINT = "请先用 flowparty register-outflow 做外出登记。"
ALREADY_AWAY = "{name} 已登记外出，尚未返回。"
ALREADY_AWAY_HINT = "地点、单位或电话有变化请用 flowparty update-outflow；已返回请先用 flowparty return 登记返回。"
INFLOW_CANNOT_LEAVE = "{name} 是外来流动党员，外出登记应由其组织关系所在党组织办理。"
NOTHING_TO_CHANGE = "没有要变更的内容：请至少给出 --to、--employer、--phone、--fixed/--no-fixed 之一。"
NOTHING_CHANGED = "给出的内容与台账现有记录相同，没有变更。"
NOTHING_TO_INSPECT = "{name} 没有已返回、待查验活动证的外出记录。"
ALREADY_INSPECTED = "{name} 的活动证已于 {date} 查验。"
VOID_RETURNED = "返回查验收回"
VOID_REISSUED = "补发作废"
VOID_TRANSFERRED = "组织关系转出"
CARD_NO_TAKEN = "活动证编号 {card_no} 已被使用。"
NO_VALID_CARD = "{name} 没有有效的《流动党员活动证》。"
NO_VALID_CARD_HINT = "请先用 flowparty issue-card 发放活动证。"
DUES_ALREADY_PAID = "{name} 以下月份的党费已登记：{months}。"
AMOUNT_TOO_SMALL = "金额 {amount} 元不够分摊到 {months} 个月（每月至少 0.01 元）。"
NOT_INFLOW = "{name} 不是外来流动党员。"
NOT_PROBATIONARY = "{name} 不是预备党员。"
EXTEND_OR_CANCEL = "--extend-to 与 --cancel 只能选一个。"
ALREADY_EXTENDED = "{name} 的预备期已延长过一次，不能再延长。"
BAD_EXTENSION = "延长预备期至“{value}”不合规定：预备期只能延长一次，延长时间不少于半年、最长一年（原期满日 {ends}）。"
GROUP_EXISTS = "名为“{name}”的临时党小组已存在。"
GROUP_MEMBER_NOT_AWAY = "{name} 目前不在外出，不能编入临时党小组。"
GROUP_TOO_SMALL = "临时党小组至少要有 3 名外出党员（现有 {count} 名）。"

# ---------------------------------------------------------------- names of stored values
CATEGORY = {"full": FULL, "probationary": PROBATIONARY, "cancelled": "已取消预备党员资格"}
END_KIND = {"returned": "返回", "transferred": "组织关系转出"}
OUTCOMES = {"converted": CONVERTED, "extended": EXTENDED, "cancelled": CANCELLED}
YES_NO = {0: NO, 1: YES, False: NO, True: YES}

TABLE_NAMES = {
    "members": "党员信息", "outflows": "外出登记", "outflow_changes": "外出变更", "cards": "活动证",
    "card_reviews": "活动证年审", "checkins": "报到", "dues": "党费", "reports": "汇报", "contacts": "联系",
    "org_life": "组织生活", "inflows": "外来登记", "feedback": "反馈", "conversions": "预备期处理",
    "transfers": "组织关系转出", "groups": "临时党小组", "group_members": "临时党小组成员", "settings": "设置",
}

COLUMN_NAMES = {
    "id_number": FIELD_ID, "name": FIELD_NAME, "gender": FIELD_GENDER, "birth_date": FIELD_BIRTH,
    "phone": FIELD_PHONE, "category": "类别", "joined_on": FIELD_JOINED, "probation_ends": FIELD_PROBATION_ENDS,
    "quarterly": "按季交纳", "status": "状态", "occupation": FIELD_OCCUPATION, "notes": "备注",
    "added_on": "登记日期", "reason": FIELD_REASON, "province": "省", "city": "市", "address": "详细地址",
    "employer": FIELD_EMPLOYER, "unit_type": FIELD_UNIT_TYPE, "left_on": FIELD_LEFT_ON,
    "expected_return": FIELD_UNTIL, "fixed_place": "固定地点", "briefed": "外出前教育", "ended_on": "结束日期",
    "end_kind": "结束方式", "inspected_on": "活动证查验日期", "summary": "小结", "card_no": FIELD_CARD_NO,
    "issued_on": "发放日期", "committee": FIELD_COMMITTEE, "voided_on": "作废日期", "void_reason": "作废原因",
    "reviewed_on": "年审日期", "reviewer": "审核人", "result": "结果", "note": "备注", "org": FIELD_ORG,
    "checked_in_on": "报到日期", "branch": FIELD_BRANCH, "verified": "已验证", "filed": "已备案",
    "period": FIELD_PERIOD, "amount_fen": FIELD_AMOUNT, "paid_on": FIELD_PAID_ON, "paid_to": FIELD_PAID_TO,
    "receipt": FIELD_RECEIPT, "reported_on": "汇报日期", "kind": FIELD_KIND, "contacted_on": "联系日期",
    "channel": FIELD_CHANNEL, "held_on": "日期", "place": FIELD_WHERE, "origin_org": FIELD_ORIGIN,
    "origin_card_no": "原活动证编号", "arrived_on": FIELD_ARRIVED_ON, "verified_on": "验证日期",
    "sent_on": "反馈日期", "decided_on": "决定日期", "outcome": "结果", "new_end": "新的期满日期",
    "to_org": FIELD_TRANSFER_TO, "transferred_on": "转出日期", "formed_on": "成立日期", "leader_id": "组长",
    "group_id": "党小组", "changed_on": "变更日期", "fields": "变更内容", "voided_at": "作废时间",
    "tx_id": "命令编号", "source_id": "原编号", "row_id": "记录编号", "table_name": "表",
}

VALUE_NAMES = {
    "status": STATUS, "category": CATEGORY, "end_kind": END_KIND, "outcome": OUTCOMES,
    "paid_to": PLACE_NAMES, "place": PLACE_NAMES, "quarterly": YES_NO, "fixed_place": YES_NO,
    "briefed": YES_NO, "verified": YES_NO, "filed": YES_NO,
}


def column(name: str) -> str:
    return COLUMN_NAMES.get(name, name)

# ---------------------------------------------------------------- what the commands say
FIELD_STATUS = "状态"
FIELD_RESULT = "年审结果"
UNIT_TYPES = {k: k for k in ("机关", "事业单位", "国有企业", "集体企业", "非公有制企业", "个体工商户", "城市社区", "建制村",
                             "其他", "不掌握流向")}
QUARTERLY = "按季"
MONTHLY = "按月"
INTERRUPTED = "已中断，本次命令没有写入任何内容。"
INTERNAL_ERROR = "程序内部错误（{kind}）。台账没有被改动。"
INTERNAL_ERROR_HINT = "这不是您的操作问题。请设置环境变量 FLOWPARTY_DEBUG=1 重新运行，把输出发给维护人员。"

INIT_DONE = "已建立台账 {path}（{branch}，自 {since} 起记录）。"
INFO_TITLE = "台账信息"
INFO_PATH = "台账文件"
INFO_SCHEMA = "数据结构版本"
INFO_CODE = "支部代码"
INFO_STATUS = "党员（{status}）"
INFO_COUNT = "记录数：{table}"
INFO_HISTORY = "变更历史"

MEMBER_ADDED = "已登记党员 {name}。"
ROSTER_TITLE = "党员名册（共 {count} 人）"
ROSTER_HEADERS = ("姓名", "身份证号", "性别", "类别", "状态", "外出地点／原组织", "外出／来到日期", "活动证编号", "联系电话")
MEMBER_TITLE = "党员 {name}"
DUES_SUMMARY = "党费"
DUES_SUMMARY_VALUE = "已交 {months} 个月，共 {total} 元，最近所属期 {last}"
OUTFLOW_LINE = "外出：{left} 起，{place}，{reason}，单位 {employer}；{ended}"
OUTFLOW_ENDED = "{on} {kind}"
OUTFLOW_ONGOING = "仍在外"
TIMELINE_TITLE = "变更历史"
TIMELINE_HEADERS = ("时间", "命令", "内容")

OUTFLOW_DONE = "已为 {name} 做外出登记：{to}。"
NOT_BRIEFED = "未记录外出前教育（--briefed）。按规定外出前应进行教育并提出要求（意见 二(一)1）。"
UPDATE_DONE = "已变更 {name} 的{fields}，原内容保存在历史中。"
CARD_DONE = "已为 {name} 发放活动证，编号 {card_no}。"
REVIEW_DONE = "已登记 {name} 的活动证年审。"
CHECKIN_DONE = "已登记 {name} 到 {org} 报到。"
DUES_DONE = "已登记 {name} {first} 至 {last} 共 {months} 个月党费，合计 {amount} 元。"
DUES_LONG_BACKPAY = "一次补交 {months} 个月，超过一般不超过 6 个月的惯例，请核实。"
REPORT_DONE = "已登记 {name} 的{kind}。"
CONTACT_DONE = "已登记与 {name} 的联系（{channel}）。"
ORG_LIFE_DONE = "已登记 {name} 参加{kind}。"
RETURN_DONE = "已登记 {name} 返回。"
RETURN_NOT_INSPECTED = "活动证尚未查验；查验后请运行 flowparty inspect-card（返回后 30 天内）。"
INSPECT_DONE = "已查验并收回 {name} 的活动证。"
TRANSFER_DONE = "已将 {name} 的组织关系转出至 {to}，记录保留。"
INFLOW_DONE = "已登记外来流动党员 {name}（原组织：{origin}）。"
FEEDBACK_DONE = "已登记向 {name} 原组织的反馈。"
CONVERT_DONE = "已登记 {name}：{outcome}。"
QUARTERLY_DONE = "{name} 今后{how}交纳党费。"
GROUP_DONE = "已成立临时党小组 {name}。"

# ---- usage errors (flowparty/usage.py)
USAGE_ERROR = "错误：{message}"
USAGE_HELP = "用 {command} -h 查看用法。"
USAGE_MISSING = "缺少必填项 {name}。"
USAGE_NO_OPTION = "没有选项 {name}。"
USAGE_DID_YOU_MEAN = "您是不是要：{names}？"
USAGE_BAD_VALUE = "{name} 的值无效。"
USAGE_NEEDS_VALUE = "选项 {name} 后面需要填写一个值。"
USAGE_NO_COMMAND = "没有命令“{name}”。"
USAGE_EXTRA_ARGS = "多余的参数：{args}。"
USAGE_OTHER = "命令用法有误。"

# ---- the clerk's screen (issue 14; flowparty/usage.py): help headings, placeholders, Chinese names of
# sub-commands and choices, and the examples that end every command's help
HELP_USAGE = "用法："
HELP_OPTIONS = "选项"
HELP_COMMANDS = "命令"
HELP_ARGUMENTS = "参数"
HELP_EXAMPLES = "示例"
HELP_HELP = "显示本帮助并退出。"
HELP_REQUIRED = "［必填］"
HELP_DEFAULT = "［默认：{value}］"
HELP_OPTIONS_METAVAR = "[选项]"
HELP_COMMAND_METAVAR = "<命令> ..."
# The word shown for an option's or argument's value, by parameter name; "command parameter" when a name
# means different things in different commands (--to is a place, a paying organisation or a receiving one).
PLACEHOLDERS = {
    "amount": "金额", "monthly": "金额", "salary": "金额", "pension": "金额", "as_of": "日期", "when": "日期",
    "joined": "日期", "probation_ends": "日期", "until": "日期", "extend_to": "日期", "left_on": "日期",
    "ended_on": "日期", "member": "党员", "members": "党员", "leader": "党员", "ledgers": "台账", "db": "台账文件",
    "file": "文件", "xlsx": "文件", "errors": "文件", "csv_dir": "文件夹", "dest": "文件或文件夹",
    "branch": "支部", "committee": "党委", "code": "代码", "rules explain code": "规则", "select": "规则",
    "ignore": "规则", "card_no": "编号", "name": "姓名", "group add name": "名称", "id_number": "身份证号",
    "phone": "电话", "city": "市", "group add city": "城市", "province": "省", "since": "年月",
    "report_months": "月数", "days": "天数", "limit": "条数", "which": "序号", "year": "年度", "period": "所属期",
    "employer": "单位", "unit_type": "单位类型", "occupation": "职业", "org": "党组织", "origin": "原组织",
    "to": "地点", "transfer-out to": "党组织", "record-dues to": "本支部/流入地", "where": "本支部/流入地",
    "reason": "原因", "register-outflow reason": "外出原因", "reason_kind": "外出原因",
    "gender": "男/女", "status": "状态", "fail_on": "级别",
    "category": "类别", "result": "合格/不合格", "channel": "联系方式",
    "record-report kind": "思想汇报/情况汇报", "record-org-life kind": "组织生活", "import template kind": "类别",
    "reviewer": "姓名", "receipt": "收据号", "sheet": "工作表", "key": "设置项", "value": "值",
    "shell": "bash/zsh", "text": "文本", "note": "文本", "notes": "文本", "summary": "文本",
}
PLACEHOLDER_OTHER = "值"
# Chinese names that sub-commands answer to (import 名册 文件.xlsx), by group; help shows them beside the English.
COMMAND_ALIASES = {
    "import": {"名册": "members", "登记簿": "outflows", "党费": "dues", "汇报": "reports", "全部": "all",
               "模板": "template", "撤销": "undo"},
    "export": {"登记簿": "register", "党费": "dues", "汇报": "reports", "问题": "findings", "全部": "all"},
}
FAIL_ON_CHOICES = {"error": "error", "warning": "warning", "info": "info", "never": "never",
                   "错误": "error", "警告": "warning", "提示": "info", "从不": "never"}
FIELD_FAIL_ON = "--fail-on 的级别"
# One or two examples for every command and group, by command path ("" is flowparty itself); each fits an
# 80-column terminal and parses (tests/test_help_chinese.py runs the parser over every one).
EXAMPLES = {
    "": ("flowparty demo", "flowparty init --branch 青山村党支部 --committee 青山镇党委"),
    "init": ("flowparty init --branch 青山村党支部 --committee 青山镇党委 --code 5113",
             "flowparty init --branch 青山村党支部 --committee 青山镇党委 --since 2026-01"),
    "info": ("flowparty info", "flowparty --db 台账.db info"),
    "demo": ("flowparty demo", "flowparty --db 示例.db demo"),
    "member": ("flowparty member list --status 外出", "flowparty member show 王建国"),
    "member add": ("flowparty member add --name 王建国 --id 511321198503120115 --gender 男",
                   "flowparty member add --name 李秀英 --id 511321199007080227 --probationary"),
    "member list": ("flowparty member list", "flowparty member list --status 外出"),
    "member show": ("flowparty member show 王建国", "flowparty member show 511321198503120115 --json"),
    "member edit": ("flowparty member edit 王建国 --phone 13912345678 --reason 电话录错",),
    "member find": ("flowparty member find 建国", "flowparty member find 0115"),
    "register-inflow": ("flowparty register-inflow --name 赵强 --id 500234199001010011 --from 原支部",),
    "convert": ("flowparty convert 李秀英 --date 2026-09-01", "flowparty convert 李秀英 --extend-to 2027-03-01"),
    "set-quarterly": ("flowparty set-quarterly 王建国 --quarterly", "flowparty set-quarterly 王建国 --monthly"),
    "group": ("flowparty group add --name 宁波组 --city 宁波 --leader 王建国 --member 张伟",),
    "group add": ("flowparty group add --name 宁波组 --city 宁波 --leader 王建国 --member 张伟",),
    "register-outflow": ('flowparty register-outflow 王建国 --to "浙江省 宁波市 北仑区" --reason 务工',
                         "flowparty register-outflow 张伟 --to 广东省深圳市 --reason 经商 --briefed"),
    "update-outflow": ("flowparty update-outflow 王建国 --employer 宁波某机械厂 --date 2026-10-20",),
    "edit-outflow": ('flowparty edit-outflow 王建国 --to "浙江省 宁波市 北仑区" --reason 地点录错',),
    "check-in": ('flowparty check-in 王建国 --org "宁波市北仑区新碶街道党工委" --verified',),
    "return": ("flowparty return 张伟 --date 2026-09-30", "flowparty return 张伟 --inspected"),
    "transfer-out": ('flowparty transfer-out 王建国 --to "宁波市北仑区某党组织" --date 2026-11-10',),
    "issue-card": ("flowparty issue-card 王建国 --date 2026-03-05", "flowparty issue-card 王建国 --reissue"),
    "review-card": ("flowparty review-card 王建国 --date 2026-11-01",),
    "inspect-card": ("flowparty inspect-card 张伟 --date 2026-10-08",),
    "record-dues": ("flowparty record-dues 王建国 --period 2026-01..2026-06 --amount 240",
                    "flowparty record-dues 王建国 --period 2026-Q3 --amount 120 --to 流入地"),
    "dues-standard": ("flowparty dues-standard 王建国 --year 2026 --salary 4000",
                      "flowparty dues-standard 张伟 --year 2026 --farmer"),
    "record-report": ('flowparty record-report 王建国 --date 2026-09-01 --summary "参加先锋岗"',),
    "record-contact": ("flowparty record-contact 王建国 --channel 微信 --date 2026-10-15",),
    "record-org-life": ("flowparty record-org-life 王建国 --kind 主题党日 --where 流入地",),
    "record-feedback": ("flowparty record-feedback 赵强 --note 表现良好",),
    "audit": ("flowparty audit", "flowparty audit --as-of 2026-12-31 --fail-on 从不 --xlsx 问题.xlsx"),
    "todo": ("flowparty todo", "flowparty todo --days 60"),
    "rules": ("flowparty rules", "flowparty rules explain FP202"),
    "rules explain": ("flowparty rules explain FP202", "flowparty rules explain dues-six-months"),
    "report": ("flowparty report annual --year 2026",),
    "report annual": ("flowparty report annual --year 2026", "flowparty report annual --year 2026 --xlsx 年报.xlsx"),
    "import": ("flowparty import 名册 名册.xlsx --dry-run", "flowparty import undo"),
    "import members": ("flowparty import 名册 名册.xlsx --dry-run", "flowparty import members 名册.xlsx"),
    "import outflows": ("flowparty import 登记簿 登记簿.xlsx --errors 错误.xlsx",),
    "import dues": ("flowparty import 党费 党费.xlsx --skip-invalid",),
    "import reports": ("flowparty import 汇报 汇报.xlsx",),
    "import all": ("flowparty --db 新台账.db import 全部 台账.xlsx --dry-run",),
    "import template": ("flowparty import template 名册 名册模板.xlsx",),
    "import undo": ("flowparty import undo",),
    "export": ("flowparty export 登记簿 --xlsx 登记簿.xlsx", "flowparty export 全部 --xlsx 台账.xlsx"),
    "export register": ("flowparty export 登记簿 --xlsx 登记簿.xlsx --mask-ids",),
    "export dues": ("flowparty export 党费 --xlsx 党费.xlsx",),
    "export reports": ("flowparty export 汇报 --csv 汇报",),
    "export findings": ("flowparty export 问题 --xlsx 问题.xlsx --as-of 2026-12-31",),
    "export all": ("flowparty export 全部 --xlsx 台账.xlsx",),
    "settings": ("flowparty settings", "flowparty settings set report_months 6 --reason 每半年汇报"),
    "settings set": ("flowparty settings set report_months 6 --reason 村里要求每半年汇报",),
    "history": ("flowparty history", "flowparty history 王建国 --limit 50"),
    "undo": ("flowparty undo", "flowparty undo --yes"),
    "void": ("flowparty void dues 王建国 --period 2026-03 --reason 重复登记",),
    "void dues": ("flowparty void dues 王建国 --period 2026-03 --reason 重复登记",),
    "void card": ("flowparty void card 王建国 --reason 遗失 --date 2026-05-01",),
    "void return": ("flowparty void return 王建国 --reason 登记错了人",),
    "void transfer": ("flowparty void transfer 王建国 --reason 转出日期登记错了",),
    **{f"void {kind}": (f"flowparty void {kind} 王建国 --date 2026-03-01 --reason 录错了人",)
       for kind in ("report", "contact", "org-life", "review", "feedback", "check-in", "update")},
    "backup": ("flowparty backup", "flowparty backup 备份/台账.db"),
    "check": ("flowparty check",),
    "completion": ("flowparty completion bash", "flowparty completion zsh"),
    "merge": ("flowparty --db 乡镇汇总.db merge 青山村.db 石桥村.db",),
}

# ---- year-end: dues standard, annual report, township merge
FIELD_DUES_KIND = "党费标准类别"
FIELD_YEAR = "年度"
FIELD_SALARY = "月工资收入（税后）"
FIELD_PENSION = "月离退休费（税后）"
FIELD_MONTHLY = "每月党费"
DUES_KINDS = {"fixed": "固定金额", "salary": "工资收入", "pension": "离退休费", "farmer": "农民党员",
              "student": "学生", "unemployed": "下岗失业", "relief": "抚恤、救济或低保"}
# History (flowparty history, member show) names these tables and columns too (issue 14).
TABLE_NAMES.update({"dues_standards": "党费标准", "branches": "支部"})
COLUMN_NAMES.update({
    "year": FIELD_YEAR, "base_fen": "计算基数", "monthly_fen": FIELD_MONTHLY, "set_on": "核定日期", "code": "支部代码",
    "home_province": "所在省", "home_city": "所在市", "since": FIELD_SINCE, "origin": "来源台账", "source": "来源文件",
    "merged_at": "合并时间", "key": "设置项", "value": "设置值", "new_values": "变更后的内容",
})
VALUE_NAMES["kind"] = DUES_KINDS  # a dues standard's kind; reports and org life store their kinds in Chinese
DUES_BASE_NEEDED = "按工资或离退休费计算党费，需要填写税后月收入（--salary 或 --pension）。"
DUES_MONTHLY_NEEDED = "固定金额的党费标准需要填写每月金额（--monthly）。"
DUES_FARMER_RANGE = "农民党员每月交纳党费 0.20 元至 1.00 元，“{value}”元不在此范围。"
DUES_BAD_YEAR = "年度“{value}”不合理：党费标准只能为往年、今年或明年设定。"
DUES_ONE_KIND = "请在 --monthly、--salary、--pension、--farmer、--student、--unemployed、--relief 中选择一种（--farmer 可另加 --monthly）。"
DUES_STANDARD_DONE = "已设定 {name} {year} 年党费标准：{kind}，每月 {amount} 元。"
DUES_STANDARD_BASE = "（按 {base} 元的 {rate}）"

UNIT_UNKNOWN = "不掌握流向"
OCCUPATION_OTHER = "其他职业"
OCCUPATIONS = ("工人", "农牧渔民", "专业技术人员", "企事业单位管理人员", "党政机关工作人员", "学生", "离退休人员",
               "下岗失业人员", OCCUPATION_OTHER)

REPORT_BAD_YEAR = "年度“{value}”不合理：只能统计往年或今年。"
REPORT_TITLE = "{branch} {year} 年流动党员情况统计（截至 {as_of}）"
REPORT_BRANCH_TITLE = "{branch}"
REPORT_SECTIONS = {
    "outflow": "表一 外出流动党员",
    "unit_type": "表二 外出流动党员按流入单位类型",
    "occupation": "表三 外出流动党员按原职业",
    "work": "表四 年内流动党员管理工作",
    "dues": "表五 党费交纳",
    "findings": "表六 年末审计发现问题",
    "branches": "表七 各支部汇总",
}
REPORT_HEADERS = ("项目", "数量")
REPORT_ROWS = {
    "outflow_total": "年末外出流动党员",
    "cross_province": "其中：跨省流动",
    "cross_city": "　　　省内跨市流动",
    "within_city": "　　　市内流动",
    "destination_unknown": "　　　不掌握流向",
    "card_holders": "持《流动党员活动证》",
    "inflow_total": "年末外来流动党员",
    "new_outflows": "年内新外出",
    "returns": "年内返回",
    "transfers_out": "年内组织关系转出",
    "cards_issued": "发放活动证",
    "cards_reviewed": "活动证年审",
    "cards_inspected": "活动证返回查验",
    "checked_in": "年末外出党员中已报到",
    "checkin_rate": "报到率",
    "reports": "收到思想（情况）汇报（次）",
    "org_life": "参加组织生活（人次）",
    "org_life_members": "参加组织生活（人）",
    "lost_contact": "失去联系的党员",
    "converted": "预备党员转正",
    "extended": "延长预备期",
    "cancelled": "取消预备党员资格",
    "dues_months_due": "应交党费（人月）",
    "dues_months_paid": "已交党费（人月）",
    "dues_expected": "按标准应交金额（已定标准者，元）",
    "dues_amount": "实交金额（元）",
    "dues_months_below_standard": "低于标准交纳（人月）",
    "unit_type_unrecorded": "未登记单位类型（计入“其他”）",
    "occupation_unrecorded": "未登记原职业（计入“其他职业”）",
}
REPORT_FINDINGS_HEADERS = ("规则", "问题数")
REPORT_OF_WHICH = "　其中：{label}"
REPORT_NO_FINDINGS = "无"
REPORT_BRANCH_HEADERS = ("支部", "年末外出", "跨省", "省内跨市", "持证", "外来", "报到率", "应交（人月）", "已交（人月）",
                         "实交（元）", "失联", "问题数")
REPORT_UNRECORDED = "有 {count} 名外出党员未登记{what}，已计入“{bucket}”；请在外出登记或名册中补填。"
REPORT_DONE_XLSX = "已写出年报工作簿 {path}。"
REPORT_SHEETS = {"outflow": "外出流动党员", "unit_type": "按单位类型", "occupation": "按原职业", "work": "管理工作",
                 "dues": "党费", "findings": "审计问题", "branches": "各支部"}

MERGE_DONE = "已合并 {branch}（{path}）：新增 {added} 条，更新 {updated} 条，删除 {removed} 条，未变 {same} 条。"
MERGE_SELF = "不能把台账合并到它自己：{path}"
MERGE_NOT_LEDGER = "要合并的文件不是 flowparty 台账：{path}"
MERGE_SOURCE_TOO_NEW = "要合并的台账由更新版本的 flowparty 写入：{path}"
MERGE_SOURCE_IS_TOWNSHIP = "要合并的台账本身是汇总台账（含多个支部）：{path}；请直接合并各支部的台账。"
MERGE_SAME_BRANCH = "要合并的台账与本台账是同一个支部（{branch}）。"
MERGE_NO_BRANCH_NAME = "要合并的台账没有支部名称：{path}"
MERGE_BOTH_ACTIVE = "身份证号 {id} 的党员同时在 {first} 和 {second} 在册，请先核实组织关系（应有一方已转出）。"
MERGE_HINT = "各支部保留自己的台账文件，乡镇用 flowparty --db 乡镇台账 merge 支部台账... 汇总；重复合并只会更新。"

MERGE_OTHER_LEDGER = "汇总台账中的 {branch} 来自另一本台账（{old}），而 {path} 是另建的同名台账。"
MERGE_OTHER_LEDGER_HINT = "同一支部只能合并同一本台账（含其备份）。如该支部确已重新建账，请加 --replace 用新台账替换旧数据。"
UNIT_OTHER = "其他"
OCCUPATION_CHOICES = {**{k: k for k in OCCUPATIONS}, "农民": "农牧渔民", "牧民": "农牧渔民", "渔民": "农牧渔民",
                      "退休": "离退休人员", "离退休": "离退休人员", "下岗": "下岗失业人员", "失业": "下岗失业人员",
                      "其他": OCCUPATION_OTHER}

# ---- audit: rules, audit, todo (flowparty/rules.py, asof.py, auditview.py)
SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
RULE_NONE = "无记录"
RULE_UNKNOWN = "没有审计规则“{value}”。"
RULE_UNKNOWN_HINT = "规则可写代码（FP202）、代码前缀（FP2）或名称（dues-six-months）；用 flowparty rules 查看全部规则。"
RULE_DATE_FUTURE = "{table}第 {row} 行的 {column}“{value}”晚于今天"
RULE_DATE_ORDER = "{table}第 {row} 行的 {column}“{value}”早于“{other}”"
BAD_DAYS = "天数“{value}”无效，应为 1 到 366 之间的整数。"
SEEDS_NOTE = "引文出自 2006 年《关于加强和改进流动党员管理工作的意见》（意见）及村规、农村流动党员管理规定（村规、农村规定）。"

AUDIT_TITLE = "{branch} 审计结果（截至 {as_of}）"
AUDIT_HEADERS = ("党员", "级别", "规则", "问题", "起始日期", "处理建议")
AUDIT_LEDGER_ROW = "（全台账）"
AUDIT_CLEAN = "截至 {as_of}，共检查 {rules} 条规则，未发现问题。"
AUDIT_SUMMARY = "截至 {as_of}，共发现 {total} 个问题，涉及 {members} 名党员：错误 {error} 个，警告 {warning} 个，提示 {info} 个。"
AUDIT_STATS_TITLE = "各规则问题数（截至 {as_of}）"
AUDIT_STATS_HEADERS = ("规则", "名称", "级别", "问题数")
AUDIT_FAIL_NOTE = "有 {count} 个问题达到 --fail-on {level} 的级别，退出码为 1。"

RULES_TITLE = "审计规则（共 {count} 条）"
RULES_HEADERS = ("规则", "级别", "检查内容", "阈值", "依据")
RULE_EXPLAIN_ITEMS = ("代码", "名称", "级别", "检查内容", "为什么", "阈值", "台账设置", "依据", "原文")
RULE_NO_THRESHOLD = "—"
RULE_SETTING_NONE = "（无）"

TODO_TITLE = "今后 {days} 天的待办事项（{start} 至 {end}）"
TODO_HEADERS = ("到期日期", "党员", "事项", "不办理的话，到期时将是", "请在到期前办理")
TODO_EMPTY = "今后 {days} 天内没有将要到期的事项。"

# Per rule: title (short Chinese name), what it checks, why, the threshold in words, the source clause and the
# seed's own words, the message of a finding (formatted with its details) and what to do ("请…").
RULE_TEXT = {
    "FP101": {
        "title": "外出未持活动证",
        "what": "外出党员在审计日没有有效的《流动党员活动证》（未发放，或已作废未补发）。",
        "why": "活动证是党员外出期间的身份证明，流入地凭它报到、编组和交纳党费；外出前应登记发放。",
        "threshold": "外出即需持证",
        "source": "意见 二(一)1，三(一)",
        "quote": "在党员外出前进行教育并提出要求，按规定登记并发放《流动党员活动证》。（意见 二(一)1）"
                 "流动党员一般应当持《流动党员活动证》。（意见 三(一)）",
        "message": "自 {left_on} 外出，没有有效的活动证。",
        "hint": "请为其发放活动证（flowparty issue-card）。",
    },
    "FP102": {
        "title": "活动证逾期未年审",
        "what": "外出党员的活动证最后一次年审（从未年审则为发证日）距审计日超过阈值月数。",
        "why": "活动证由组织关系所在党支部或组织生活所在党支部每年审核一次。",
        "threshold": "{value} 个月（设置 card_review_months）",
        "source": "意见 三(一) 每年审核一次",
        "quote": "《流动党员活动证》由流动党员正式组织关系所在党支部或组织生活所在党支部每年审核一次。（意见 三(一)）",
        "message": "活动证上次年审或发证在 {last}，已超过 {months} 个月未年审。",
        "hint": "请为活动证办理年审（flowparty review-card）。",
    },
    "FP103": {
        "title": "返回后未查验活动证",
        "what": "党员返回后超过阈值天数，仍未查验收回活动证。",
        "why": "外出党员返回后，流出地党组织要认真查验活动证，了解其外出期间的表现和参加组织生活情况。",
        "threshold": "返回后 {value} 天内（设置 inspect_days）",
        "source": "意见 二(一)4，二(三)4",
        "quote": "外出流动党员返回后，认真查验《流动党员活动证》等有关材料，及时了解党员外出期间的表现和参加党的组织生活情况。"
                 "（意见 二(一)4）外出返回后，及时将《流动党员活动证》交给流出地党组织查验。（意见 二(三)4）",
        "message": "{returned_on} 返回，超过 {days} 天仍未查验活动证。",
        "hint": "请查验并收回活动证（flowparty inspect-card），了解其外出期间表现。",
    },
    "FP104": {
        "title": "领证后未报到",
        "what": "外出党员领取活动证超过阈值天数，本次外出仍没有报到记录。",
        "why": "流动党员应凭活动证及时到流入地党组织报到。",
        "threshold": "发证后 {value} 天内（设置 checkin_days）",
        "source": "意见 二(三)2 及时报到",
        "quote": "凭《流动党员活动证》及时到流入地党组织报到，积极参加党的组织生活，按规定交纳党费。（意见 二(三)2）",
        "message": "{issued_on} 领取活动证，超过 {days} 天仍无报到记录。",
        "hint": "请联系本人尽快到流入地党组织报到，报到后登记（flowparty check-in）。",
    },
    "FP201": {
        "title": "连续欠交党费（3 至 5 个月）",
        "what": "外出党员从最近一次已交月份之后，连续若干个应交月份未交党费，达到警告阈值但未达到六个月。",
        "why": "流动党员原则上按月交纳党费，确有困难的可按季交纳；欠交要及早提醒，以免满六个月。",
        "threshold": "连续 {value} 个月（设置 dues_warning_months；满 dues_error_months 改报 FP202）",
        "source": "意见 二(三)2",
        "quote": "流动党员原则上应当按月交纳党费，因外出地点变动频繁等原因按月交纳确有困难的，可以按季交纳。（意见 二(三)2）",
        "message": "{first} 至 {last} 连续 {months} 个月未交党费。",
        "hint": "请提醒其补交党费（flowparty record-dues）。",
    },
    "FP202": {
        "title": "连续六个月以上未交党费",
        "what": "外出党员连续六个月及以上的应交月份未交党费。",
        "why": "党章第九条：党员没有正当理由连续六个月不交纳党费，就被认为是自行脱党；农村规定要求按党章处理。",
        "threshold": "连续 {value} 个月（设置 dues_error_months）",
        "source": "党章 第九条；农村规定 三(四)",
        "quote": "对无正当理由连续6个月不参加党的组织生活、不与原所在党支部保持联系或不交党费的，按党章有关规定进行处理。"
                 "（农村规定 三(四)）",
        "message": "{first} 至 {last} 连续 {months} 个月未交党费。",
        "hint": "请立即联系本人核实原因并督促补交；无正当理由的，请支部按党章第九条研究处理。",
    },
    "FP203": {
        "title": "党费低于标准",
        "what": "党员已交党费的月份中，有月份交纳金额低于其当年的党费标准（用 flowparty dues-standard 设定）。",
        "why": "党费按中组部 2008 年规定的比例或数额交纳；只看交没交，看不出少交。标准一年一定，未重新设定时沿用上一年度。",
        "threshold": "低于当年标准即提示",
        "source": "中组部 2008 年党费规定",
        "quote": "每月工资收入（税后）在3000元以下（含3000元）者，交纳月工资收入的0.5%；3000元以上至5000元（含5000元）者，"
                 "交纳1%；5000元以上至10000元（含10000元）者，交纳1.5%；10000元以上者，交纳2%。……离退休干部、职工党员，"
                 "5000元以下（含5000元）的按0.5%交纳党费，5000元以上的按1%交纳党费。农民党员每月交纳党费0.2元至1元。"
                 "学生党员、下岗失业的党员、依靠抚恤或救济生活的党员、领取当地最低生活保障金的党员，每月交纳党费0.2元。"
                 "（《关于中国共产党党费收缴、使用和管理的规定》，中组发〔2008〕3号）",
        "message": "{months} 共 {count} 个月党费低于每月标准 {standard} 元，合计少交 {short} 元。",
        "hint": "请核实其收入基数和党费标准（flowparty dues-standard），并提醒补足差额。",
    },
    "FP301": {
        "title": "逾期未汇报",
        "what": "外出党员自上次汇报（或外出、台账起始月）起，超过汇报周期没有思想或情况汇报。",
        "why": "流动党员每年至少向流出地党组织汇报一次；村里要求每半年汇报一次（init --report-months 6）。",
        "threshold": "{value} 个月（设置 report_months）",
        "source": "意见 二(三)3；农村规定 五(三)",
        "quote": "主动与流出地党组织保持联系，每年至少向流出地党组织汇报一次外出期间思想、工作和参加党的组织生活情况。"
                 "（意见 二(三)3）外出期间……每半年向原所在党支部汇报一次思想和工作情况。（农村规定 五(三)）",
        "message": "上次汇报：{last}；自 {start} 起已超过 {months} 个月未汇报。",
        "hint": "请通知其提交思想汇报，收到后登记（flowparty record-report）。",
    },
    "FP302": {
        "title": "失去联系",
        "what": "外出党员超过阈值月数没有任何音讯：汇报、联系、报到、交党费、组织生活、外出变更都没有。",
        "why": "长期不与党组织联系的流动党员要批评教育，经教育不改的按党章处理；先要找到人。",
        "threshold": "{value} 个月（设置 lost_contact_months）",
        "source": "意见 三(一)；农村规定 三(四)",
        "quote": "流动党员无正当理由……长期不与流入地和流出地党组织联系的，党组织要进行批评教育。（意见 三(一)）"
                 "对无正当理由连续6个月……不与原所在党支部保持联系……的，按党章有关规定进行处理。（农村规定 三(四)）",
        "message": "最后音讯：{last}；自 {start} 起已超过 {months} 个月没有任何联系记录。",
        "hint": "请通过电话、微信、家属或流入地党组织尽快联系本人，联系上后登记（flowparty record-contact）。",
    },
    "FP303": {
        "title": "连续六个月未参加组织生活",
        "what": "外出党员超过阈值月数没有参加组织生活的记录（流入地或本支部的三会一课、主题党日等）。",
        "why": "党章第九条：连续六个月不参加党的组织生活，被认为是自行脱党。",
        "threshold": "{value} 个月（设置 org_life_months）",
        "source": "党章 第九条；农村规定 三(四)",
        "quote": "对无正当理由连续6个月不参加党的组织生活……的，按党章有关规定进行处理。（农村规定 三(四)）",
        "message": "上次组织生活：{last}；自 {start} 起已超过 {months} 个月未参加组织生活。",
        "hint": "请联系流入地党组织安排其参加组织生活，参加后登记（flowparty record-org-life）。",
    },
    "FP304": {
        "title": "外出信息不全",
        "what": "外出党员缺少联系电话（外出电话和名册电话都没有），或缺少外出地点（省、市都没有）。",
        "why": "流出地党组织要掌握外出党员的流动去向、外出地点和联系方式。",
        "threshold": "—",
        "source": "意见 二(一)2",
        "quote": "掌握外出党员的流动去向、外出时间、地点和联系方式等情况。（意见 二(一)2）",
        "message": "外出登记缺少：{missing}。",
        "hint": "请补全外出信息（flowparty update-outflow --phone / --to）。",
    },
    "FP401": {
        "title": "固定地点外出满六个月未转组织关系",
        "what": "党员在固定地点外出满阈值月数，组织关系仍未转出。",
        "why": "党员外出时间在 6 个月以上且有固定地点的，应将组织关系转至所在地区或单位党组织。",
        "threshold": "{value} 个月（设置 fixed_place_months）",
        "source": "村规 二；意见 三(一)",
        "quote": "党员外出时间在6个月以上,且有固定地点的,将其组织关系转至所在地区或单位党组织。（村规 二）",
        "message": "{left_on} 外出，固定地点已满 {months} 个月，组织关系未转出。",
        "hint": "请动员其办理组织关系转接（flowparty transfer-out）。",
    },
    "FP402": {
        "title": "可建临时党小组",
        "what": "同一城市有三名以上正式党员外出，但没有登记临时党小组。",
        "why": "正式党员 3 人以上集体外出且地点相对集中的，应建立临时党小组。",
        "threshold": "{value} 名正式党员（设置 group_min_members）",
        "source": "村规 四；农村规定 三(二)",
        "quote": "正式党员3人以上集体外出,且在点相对集中的,建立临时党小组。（村规 四）"
                 "对正式党员3人以上集体外出,且地点相对集中的,应及时建立临时党支部或党小组。（农村规定 三(二)）",
        "message": "{place} 有 {count} 名正式党员外出（{names}），没有临时党小组。",
        "hint": "请研究建立临时党小组（flowparty group add）。",
    },
    "FP501": {
        "title": "外出预备党员即将期满",
        "what": "外出的预备党员在阈值天数内预备期满。",
        "why": "流出地党组织要了解预备党员外出期间的表现，按期讨论其转正。",
        "threshold": "期满前 {value} 天（设置 probation_notice_days）",
        "source": "意见 二(一)5",
        "quote": "了解预备党员外出期间的表现，按规定做好预备党员转正工作。（意见 二(一)5）",
        "message": "预备期 {ends} 期满，还有 {days} 天。",
        "hint": "请了解其外出期间表现，准备支部大会讨论转正（期满后用 flowparty convert 登记）。",
    },
    "FP502": {
        "title": "预备期满未处理",
        "what": "预备期已满，但没有登记转正、延长预备期或取消预备党员资格。",
        "why": "预备期满，支部应及时讨论其转正，或延长预备期、取消资格。",
        "threshold": "期满次日起",
        "source": "意见 二(一)5",
        "quote": "了解预备党员外出期间的表现，按规定做好预备党员转正工作。（意见 二(一)5）",
        "message": "预备期已于 {ends} 期满，未登记转正、延长或取消资格。",
        "hint": "请召开支部大会讨论，并登记结果（flowparty convert）。",
    },
    "FP601": {
        "title": "外来党员活动证未验证",
        "what": "外来流动党员的活动证尚未查验确认。",
        "why": "流入地党组织要认真查验活动证，做好外来流动党员身份确认。",
        "threshold": "—",
        "source": "意见 二(二)1",
        "quote": "认真查验《流动党员活动证》，做好外来流动党员身份确认工作。（意见 二(二)1）",
        "message": "{arrived_on} 来到本地，活动证尚未验证。",
        "hint": "请查验其活动证并登记（flowparty check-in --verified）。",
    },
    "FP602": {
        "title": "外来党员未编入支部",
        "what": "外来流动党员没有编入党的基层组织。",
        "why": "流入地党组织要将外来流动党员编入党的一个基层组织，组织他们参加组织生活。",
        "threshold": "—",
        "source": "意见 二(二)2",
        "quote": "将外来流动党员编入党的一个基层组织，组织他们参加党的组织生活。（意见 二(二)2）",
        "message": "{arrived_on} 来到本地，尚未编入支部。",
        "hint": "请将其编入一个支部并登记（flowparty check-in --branch）。",
    },
    "FP603": {
        "title": "未向流出地反馈",
        "what": "超过阈值月数没有向外来流动党员的流出地党组织反馈情况。",
        "why": "流入地党组织要及时将外来流动党员的重要情况反馈给流出地党组织。",
        "threshold": "{value} 个月（设置 feedback_months）",
        "source": "意见 二(二)4",
        "quote": "在《流动党员活动证》上如实填写党员参加组织生活、交纳党费等情况，及时将外来流动党员的重要情况反馈给流出地党组织。"
                 "（意见 二(二)4）",
        "message": "上次反馈：{last}；已超过 {months} 个月未向流出地党组织反馈。",
        "hint": "请向其流出地党组织反馈情况并登记（flowparty record-feedback）。",
    },
    "FP901": {
        "title": "台账数据异常",
        "what": "台账有不可能的日期（返回早于外出、晚于今天的日期等），或台账文件未通过 SQLite 的完整性检查；"
                "或自上次导入、合并以来（或已超过 30 天）没有通过 flowparty check（提示）。"
                "日期每次审计都查；逐页的完整性检查只在台账不超过 64 MB 时随审计进行；"
                "外键检查只由 flowparty check 进行，每次通过都记在台账中。",
        "why": "审计只有在台账本身可靠时才有意义。",
        "threshold": "—",
        "source": "—（台账自身）",
        "quote": "—",
        "message": "{problem}。",
        "hint": "{fix}",
    },
}

# ---- reliability: backup and check
BACKUP_EXISTS = "备份目标已存在：{path}"
BACKUP_EXISTS_HINT = "不会覆盖已有文件。请换一个文件名，或给出一个文件夹（备份会以时间命名放进去）。"
BACKUP_FAILED = "无法备份台账：{path}（{detail}）"
BACKUP_DONE = "已备份台账到：{path}（仅本用户可读）"
BACKUP_AUTO = "已自动备份台账到：{path}"
CHECK_OK = "台账完好：{path}（完整性、外键、日期均无问题）"
CHECK_DAMAGED = "台账文件未通过完整性检查：{path}"
CHECK_DATES = "台账中有 {count} 处不可能的日期，请核对更正："
CHECK_PROBLEM = "  · {problem}"
CHECK_RESTORE = ("从备份恢复：先关闭所有使用这本台账的窗口，把损坏的台账改名留存（如 {path}.坏），"
                 "再把最新的备份复制为 {path}，然后运行 flowparty check 确认。")
CHECK_BACKUPS = "最近的备份（新的在前）："
CHECK_NO_BACKUPS = "没有找到自动备份（{folder}）。如有手工备份（flowparty backup 生成的文件），请用它恢复。"

# ---- spreadsheets: import and export
# Header spellings found in real registers; the first is the one templates and exports use.
HEADER_ALIASES = {
    "seq": ("序号", "编号", "序"),
    "name": ("姓名", "党员姓名", "名字"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "公民身份证号", "身份证", "证件号码",
                  "证件号", "身份证件号码"),
    "gender": ("性别",),
    "phone": ("联系电话", "手机号", "手机号码", "手机", "电话", "联系方式", "电话号码", "移动电话", "联系手机"),
    "joined": ("入党时间", "入党日期", "入党年月"),
    "category": ("党员类别", "党员身份", "类别"),
    "probation_ends": ("预备期满日期", "预备期满时间"),
    "occupation": ("原职业", "职业"),
    "notes": ("备注",),
    "left_on": ("外出时间", "外出日期", "流出时间", "流出日期", "外出年月", "离开时间", "离开日期", "离乡时间"),
    "destination": ("外出地点", "流入地", "流向", "流入地点", "外出去向", "去向", "流入地区", "现居住地",
                    "外出地址", "流动去向"),
    "address": ("详细地址", "具体地址", "现住址", "现居住地址"),
    "reason": ("外出原因", "流出原因", "外出事由"),
    "employer": ("工作单位", "务工单位", "单位名称", "所在单位"),
    "unit_type": ("单位类型", "单位性质"),
    "until": ("预计返回时间", "预计返回日期"),
    "returned_on": ("返回日期", "返回时间", "回乡日期"),
    "period": ("所属期", "月份", "所属月份", "交纳月份", "缴纳月份", "党费月份", "所属期间", "缴费月份", "交费月份",
               "党费所属期", "党费所属月份"),
    "amount": ("金额", "党费", "交纳金额", "缴纳金额", "实交金额", "实缴金额", "党费金额", "交纳党费", "缴费金额",
               "交费金额"),
    "paid_on": ("交纳日期", "交纳时间", "缴纳日期", "缴纳时间", "缴费日期", "交费日期", "缴费时间", "交费时间"),
    "paid_to": ("交纳至", "交纳地点"),
    "receipt": ("收据号", "票据号", "收据编号"),
    "reported_on": ("汇报日期", "汇报时间", "日期"),
    "report_kind": ("汇报类型", "汇报方式", "类型"),
    "summary": ("内容摘要", "汇报内容", "摘要", "内容"),
}
# The words in brackets after a header that say its unit or add a note, ignored when matching: 金额（元）,
# 联系电话（手机）, 外出时间（年月日）. Any other bracketed words are part of the header.
HEADER_NOTE_WORDS = ("元", "人民币", "单位", "手机", "手机号", "固话", "座机", "年月日", "年月", "年-月-日",
                     "yyyy-mm-dd", "格式", "必填", "选填", "可选", "如", "例", "省市", "省/市", "省、市", "省市县",
                     "18位", "文本", "个月", "月", "日期", "号码")
IMPORT_KINDS = {"members": "党员名册", "outflows": "外出流动党员登记簿", "dues": "党费交纳记录", "reports": "思想汇报记录"}
EXPORT_KINDS = {"register": "外出流动党员登记簿", "dues": "党费交纳记录", "reports": "思想汇报记录",
                "findings": "审计问题清单"}
MEMBER_CATEGORIES = {"正式党员": "full", "正式": "full", "预备党员": "probationary", "预备": "probationary"}
FIELD_IMPORT_KIND = "导入类别"
FIELD_EXPORT_KIND = "导出类别"
FIELD_FILE = "文件"
FIELD_SHEET = "工作表"
FIELD_MEMBER_CATEGORY = "党员类别"
TOTALS_WORDS = ("合计", "总计", "小计", "共计")
NOTE_PREFIXES = ("注", "说明", "填表", "填报", "制表", "审核", "备注：", "备注:", "负责人", "联系人")
UNSUPPORTED_FILE = "不支持的文件类型：{path}"
UNSUPPORTED_FILE_HINT = "请使用 .xlsx、.xls、.ods 或 .csv 文件（WPS 可“另存为” .xlsx）。"
FILE_NOT_FOUND = "找不到文件：{path}"
# ---- a workbook no reader can open (sheets.unreadable): what the file is, never the library's English
FILE_PASSWORD = "工作簿设了密码（已加密），无法读取：{path}"
FILE_PASSWORD_HINT = "请输入密码打开后清除密码（Excel：文件 → 信息 → 保护工作簿 → 用密码进行加密；WPS：文件 → 文档加密 → 密码加密），另存后再导入。"
FILE_EMPTY = "文件是空的（0 字节），不是表格：{path}"
FILE_TRUNCATED = "文件不是完整的 Excel 工作簿，可能只复制或下载了一部分：{path}"
FILE_TRUNCATED_HINT = "请从原处重新复制或下载这个文件；能用 Excel 或 WPS 正常打开后再导入。"
FILE_ZIP_NOT_WORKBOOK = "文件是一个压缩包，但不是 Excel 或 WPS 工作簿：{path}"
FILE_DAMAGED = "工作簿已损坏，无法读取其中的内容：{path}"
FILE_WEB_PAGE = "文件是网页（HTML/XML），只是扩展名为表格，不是真正的 Excel 工作簿：{path}"
FILE_TEXT = "文件是文本，不是 Excel 工作簿：{path}"
FILE_TEXT_HINT = "如果它是逗号分隔的表格，请把扩展名改为 .csv 再导入；或用 Excel/WPS 打开后另存为 .xlsx。"
FILE_NOT_WORKBOOK = "文件不是 Excel 或 WPS 工作簿，或者已经损坏：{path}"
FILE_RESAVE_HINT = "请用 Excel 或 WPS 打开后“另存为” .xlsx 再导入；打不开的文件请向发来的人重新要一份。"
SHEET_NO_DATA_ROWS = "表格中没有数据行：工作表“{sheet}”只有表头，没有导入任何内容。"
SHEET_NO_DATA_ROWS_HINT = "请在表头下面逐行填写后再导入；没有写入台账，也没有记录导入批次。"
WORKBOOK_NO_KNOWN_SHEETS = "工作簿“{path}”中没有 export all 导出的任何工作表（现有：{sheets}）。"
WORKBOOK_NO_KNOWN_SHEETS_HINT = "import all 只读 export all 导出的整本工作簿；单张名册或登记簿请用 import members 或 import outflows。"
SHEET_NOT_FOUND = "工作簿中没有名为“{sheet}”的工作表；现有：{sheets}"
HEADER_NOT_FOUND = "在工作表“{sheet}”中找不到表头行：缺少“{missing}”列。"
HEADER_NOT_FOUND_HINT = "表头需含这些列（常见写法均可识别）；可用 flowparty import template {kind} 文件.xlsx 取得模板。"
HEADER_EITHER = "{first}或{second}"
IMPORT_ROW_ERROR = "工作表“{sheet}”第 {row} 行{column}：{message}"
IMPORT_COLUMN = "“{column}”列（{value}）"
IMPORT_REFUSED = "{count} 行有错误，没有写入任何数据。"
IMPORT_REFUSED_HINT = "请更正后重新导入；或用 --skip-invalid 只写入正确的行，用 --errors 错误.xlsx 导出错误清单。"
IMPORT_MORE_ERRORS = "……另有 {count} 处错误（用 --errors 文件.xlsx 导出完整清单）。"
IMPORT_DONE = "已导入“{file}”（工作表“{sheet}”）：新增 {added} 行，已在台账中 {unchanged} 行，跳过有错误的 {skipped} 行。批次 {batch}。"
IMPORT_DRY_RUN = "试导入“{file}”（工作表“{sheet}”）：将新增 {added} 行，已在台账中 {unchanged} 行，有错误 {skipped} 行。未写入任何数据。"
IMPORT_ERRORS_WRITTEN = "错误清单已写入：{path}"
IMPORT_PROGRESS = "正在导入"
EXPORT_PROGRESS = "正在导出"
ERRORS_SHEET = "错误清单"
ERRORS_HEADERS = ("工作表", "行号", "列", "值", "问题")
MEMBER_OTHER_NAME = "身份证号 {id} 在台账中登记为“{existing}”，与表中的“{name}”不符。"
MEMBER_NAME_NEEDED = "身份证号 {id} 不在名册中；要从登记簿新增此人，“姓名”不能为空。"
MEMBER_COLUMN_NEEDED = "“身份证号”和“姓名”不能都为空。"
NOTHING_TO_UNDO = "没有可以撤销的导入批次。"
UNDO_BLOCKED = "不能撤销批次 {batch}（{file}）：导入之后又有记录用到了这些数据（{examples}）。"
UNDO_BLOCKED_HINT = "请先更正或撤销之后的记录；撤销只用于导入后立即发现导错的情况。"
UNDO_DONE = "已撤销批次 {batch}（{file}，{kind}）：删除 {rows} 行，恢复 {updates} 处状态；原记录保留在变更历史中。"
TEMPLATE_DONE = "已生成{kind}模板：{path}"
TEMPLATE_NOTES_SHEET = "填写说明"
TEMPLATE_NOTES_HEADERS = ("列", "必填", "格式与说明")
TEMPLATE_REQUIRED = "必填"
TEMPLATE_OPTIONAL = "选填"
TEMPLATE_NOTES = {
    "seq": "可留空，仅供核对。",
    "name": "党员姓名。",
    "id_number": "18 位身份证号，末位 x 大小写均可；请把单元格设为“文本”，以免 Excel 丢失末几位。",
    "gender": "男/女；留空时按身份证号。",
    "phone": "手机号（11 位）或带区号的固定电话。",
    "joined": "日期，如 2020-07-01、2020/7/1、2020.7.1、20200701、2020年7月1日；只知道月份时可写 2020年7月。",
    "category": "正式党员/预备党员；留空为正式党员。",
    "probation_ends": "预备党员的预备期满日期；留空为入党一年后。",
    "occupation": "原职业：" + "/".join(OCCUPATIONS) + "。",
    "notes": "任意文字。",
    "left_on": "外出日期，格式同入党时间。",
    "destination": "省 市（可连写），如 浙江省宁波市。",
    "address": "详细地址，可留空。",
    "reason": "务工/经商/就学/居住/其他。",
    "employer": "工作单位，可留空。",
    "unit_type": "单位类型：" + "/".join(UNIT_TYPES) + "。",
    "until": "预计返回日期，可留空。",
    "returned_on": "已返回的，填返回日期（登记外出后即登记返回）；仍在外的留空。",
    "period": "所属期：2026-01、2026年1月、2026-01..2026-06 或 2026-Q1。",
    "amount": "实交总额（元），如 36、36.00、6.00元；按月平均分摊。",
    "paid_on": "交纳日期，格式同入党时间。",
    "paid_to": "本支部/流入地；留空为本支部。",
    "receipt": "收据号，可留空。",
    "reported_on": "汇报日期。",
    "report_kind": "思想汇报/情况汇报；留空为思想汇报。",
    "summary": "内容摘要，可留空。",
}
TEMPLATE_GENERAL_NOTES = (
    "表头行可以在任意一行，上方的标题行、填报单位行会被跳过；表头写法可用常见的别名（如 身份证号码、公民身份号码）。",
    "空行、合计行会被跳过；全角数字和空格会自动转换。",
    "导入前会逐行检查：有一行出错就不写入任何数据，并列出工作表、行号、列和值。",
    "同一文件重复导入不会重复登记（按身份证号；党费按党员和所属期）。",
)
EXPORT_DONE = "已导出到：{path}"
EXPORT_NOTHING = "导出需要 --xlsx 文件 或 --csv 文件夹 二者之一。"
EXPORT_HEADERS = {
    "register": ("序号", "姓名", "性别", "身份证号", "联系电话", "入党时间", "外出时间", "流入地", "详细地址", "外出原因",
                 "工作单位", "单位类型", "活动证编号", "返回日期", "状态"),
    "dues": ("姓名", "身份证号", "所属期", "金额", "交纳日期", "交纳至", "收据号"),
    "reports": ("姓名", "身份证号", "汇报日期", "汇报类型", "内容摘要"),
    "findings": ("代码", "名称", "级别", "姓名", "身份证号", "问题", "建议", "起始日期"),
}
PAID_TO_NAMES = {"home": "本支部", "inflow": "流入地"}
REGISTER_STATUS = {None: "外出", "returned": "已返回", "transferred": "已转出"}
CSV_ENCODING = "无法识别 CSV 文件的编码：{path}（只支持 UTF-8 和 GBK/GB18030）"
CSV_BROKEN = "CSV 文件格式有误，某个单元格过长或引号不成对：{path}"
CSV_ENCODING_HINT = "请用 Excel 或 WPS 打开后另存为 .xlsx（或“CSV UTF-8”）再导入。"

# ---- demo
DEMO_NOT_DEMO = "{path} 已存在，而且不是示例台账；示例不会覆盖真实台账。"
DEMO_NOT_DEMO_HINT = "请换一个文件：flowparty --db 另一个文件.db demo，或不加 --db，在当前文件夹生成 flowparty-demo.db。"
DEMO_REPORT = "外出期间工作、学习和思想情况。"
DEMO_CONTACT = "了解近况，提醒按时交纳党费、参加组织生活。"
DEMO_CHECKIN_ORG = "{city}{area}流动党员党支部"
DEMO_RETURN = "外出期间按时交纳党费，参加流入地组织生活。"
DEMO_TRANSFER_TO = "中共南京市江宁区某街道工作委员会"
DEMO_ORIGIN_CHONGQING = "重庆市开州区某镇党委"
DEMO_ORIGIN_GUIZHOU = "贵州省毕节市七星关区某村党支部"
DEMO_FEEDBACK = "在本村参加组织生活和志愿服务情况良好。"
DEMO_TITLE = "示例台账（只供试用，与您自己的台账分开）"
DEMO_FILE_LINE = "台账文件"
DEMO_BRANCH_LINE = "示例支部"
DEMO_BRANCH_VALUE = "{branch}（{committee}，{home}），台账自 {since} 起完整"
DEMO_TODAY_LINE = "示例日期"
DEMO_MEMBERS_LINE = "党员"
DEMO_MEMBERS_VALUE = "共 {total} 名：{statuses}；其中预备党员 {probationary} 名"
DEMO_STATUS_PART = "{status} {count}"
DEMO_PLACES_LINE = "外出党员在"
DEMO_PLACE_PART = "{place} {count}"
DEMO_AUDIT_HEADING = "下面是示例支部今天的审计结果（{prog} audit）："
DEMO_NEXT = "接着试试（示例台账可随时用 {prog} demo 重建）："
DEMO_NEXT_COMMANDS = (
    ("member list --status 外出", "外出党员名单"),
    ("member show {name}", "一名党员的全部记录"),
    ("audit", "逐条审计"),
    ("todo --days 60", "今后 60 天的待办"),
    ("rules explain FP402", "一条规则的依据"),
    ("report annual --year {year}", "年度统计"),
    ("export all --xlsx 示例台账.xlsx", "导出 Excel"),
    ("info", "台账概况"),
)
DEMO_NEXT_LINE = "  {prog} --db {path} {command}   # {what}"
DEMO_OWN = "建立自己的台账：{prog} init --branch 支部名称 --committee 党委名称 --province 省 --city 市"
BACKUP_CANNOT_WRITE = "无法在此写入备份：{path}（{detail}）"

# ---- audit by branch (township ledgers)
AUDIT_BRANCH_TITLE = "各支部审计结果（截至 {as_of}）"
AUDIT_BRANCH_HEADERS = ("支部", "错误", "警告", "提示", "涉及党员")

# ---- ledger steps (issue 2)
PROBATION_NOT_OVER = "{name} 的预备期到 {ends} 才满，{date} 还不能讨论转正或延长预备期（可用 --cancel 取消资格）。"

# ---- the command list, grouped by the clerk's tasks (flowparty alone; flowparty/commands/ has one module each)
COMMAND_GROUPS = {
    "名册": ("member", "register-inflow", "convert", "set-quarterly", "group"),
    "外出": ("register-outflow", "update-outflow", "edit-outflow", "check-in", "return", "transfer-out"),
    "活动证": ("issue-card", "review-card", "inspect-card"),
    "党费": ("record-dues", "dues-standard"),
    "汇报与联系": ("record-report", "record-contact", "record-org-life", "record-feedback"),
    "审计与统计": ("audit", "todo", "rules", "report"),
    "表格": ("import", "export"),
    "台账维护": ("init", "info", "settings", "history", "undo", "void", "backup", "check", "merge", "demo",
             "completion"),
}
HELP_OTHER_COMMANDS = "其他"

# ---- corrections, voids, undo, settings (SPEC §7; flowparty/corrections.py, undo.py, settings.py)
CARD_HELD = "{name} 已持有有效的活动证（编号 {card_no}，{issued} 发放）。"
CARD_HELD_HINT = "遗失或损坏补办请加 --reissue（原证将作废）；只挂失不补发请用 flowparty void card 党员 --reason 遗失。"
CARD_REISSUED = "原活动证 {old} 已作废。"
DAMAGE_FOREIGN_KEY = "{table}中有一条记录（第 {row} 条）指向不存在的{parent}"
DATE_FUTURE_PROBLEM = "{what} {value} 晚于今天"
DATE_PROBLEM_OF = "{name} 的"
DATE_PROBLEM_MEMBER = "党员"
DATE_PROBLEM_FIX = "请更正：flowparty {command}"
DAMAGE_FIX = "台账文件本身有问题：请运行 flowparty check，按提示从备份恢复。"
FIELD_CORRECTION_REASON = "更正原因（--reason）"
FIELD_CARD_VOID_REASON = "作废原因"
FIELD_VALUE = "设置的值"
CORRECTION_CONTRADICTS = "这样更正后记录互相矛盾：{problems}。没有写入任何内容。"
NOTHING_TO_CORRECT = "没有要更正的内容：请至少给出一个要更正的选项（见 -h）。"
NO_OUTFLOW = "{name} 没有外出登记。"
OUTFLOW_NOT_ENDED = "{name} 的这次外出尚未返回或转出，不能更正返回日期（--ended-on）。"
VOID_DUES_NOT_PAID = "{name} 以下月份没有已登记（未作废）的党费：{months}。"
VOID_NOTHING_ON = "{name} 在 {date} 没有可作废的{what}记录。"
VOID_SEVERAL = "{name} 在 {date} 有 {count} 条{what}记录：{candidates}。"
VOID_SEVERAL_HINT = "请用 --which 序号 指明作废哪一条。"
VOID_BAD_WHICH = "--which “{value}”无效：只有 1 到 {count} 条。"
VOID_RECORD = "（记录）"
VOID_NO_RETURN = "{name} 最近一次外出没有可作废的返回登记（须已返回、之后没有再外出）。"
VOID_NO_TRANSFER = "{name} 没有可作废的组织关系转出记录。"
VOID_LATER_OUTFLOW = "{name} 返回之后又登记了外出，不能作废那次返回；请先撤销或更正之后的外出登记。"
VOID_DONE = "已作废 {name} 的{what}（原因：{reason}），记录保留在台账和变更历史中。"
VOID_DUES_DONE = "已作废 {name} 的 {count} 个月党费（原因：{reason}）；这些月份可以重新登记。"
VOID_CARD_DONE = "已作废 {name} 的活动证 {card_no}（{reason}）；需要补发时用 flowparty issue-card。"
VOID_RETURN_DONE = "已作废 {name} 的返回登记（原因：{reason}），该党员重新计为外出。"
VOID_TRANSFER_DONE = "已作废 {name} 的组织关系转出（原因：{reason}）。"
VOID_WHAT = {"report": "汇报", "contact": "联系", "org-life": "组织生活", "review": "活动证年审", "feedback": "反馈",
             "check-in": "报到", "update": "外出变更"}
EDIT_DONE = "已更正 {name} 的{fields}（原因：{reason}），原内容保存在历史中。"
NOTHING_TO_UNDO_ANY = "没有可以撤销的命令。"
NOTHING_TO_UNDO_IMPORT = "没有可以撤销的导入批次。"
UNDO_ALREADY = "“{command}”已经撤销过了。"
UNDO_BLOCKED_BY = "不能撤销 {at} 的“{command}”：之后的“{later}”（{later_at}）{name}用到了它写入的记录。"
UNDO_BLOCKED_BY_HINT = "请先撤销或更正之后的那条命令，再撤销这一条。"
UNDO_SHOW = "将撤销 {at} 的“{command}”（{rows} 处改动）："
UNDO_MORE = "  ……另有 {count} 处改动"
UNDO_CONFIRM = "确定撤销吗？"
UNDO_NEEDS_YES = "撤销需要确认：不在终端上运行时请加 --yes。"
UNDO_CANCELLED = "没有撤销。"
UNDO_DONE_ANY = "已撤销“{command}”（{rows} 处改动），撤销本身也记入变更历史。"
HISTORY_TITLE = "变更历史（最近 {count} 条命令，新的在前）"
HISTORY_HEADERS = ("编号", "时间", "命令", "原因", "内容")
HISTORY_UNDONE = "（已撤销）"
HISTORY_UNDO_OF = "（撤销第 {id} 条）"
HISTORY_EMPTY = "没有变更历史。"
SETTINGS_TITLE = "台账设置"
SETTINGS_HEADERS = ("名称", "键", "当前值", "默认值")
SETTING_HOME_PROVINCE = "本支部所在省"
SETTING_HOME_CITY = "本支部所在市"
SETTING_BAD_NUMBER = "设置的值“{value}”无效，可选：{allowed}。"
SETTING_UNKNOWN = "没有设置项“{value}”。"
SETTING_UNKNOWN_HINT = "用 flowparty settings 查看全部设置项（可写键名或中文名称）。"
SETTING_DONE = "已把“{name}”从 {old} 改为 {new}（原因：{reason}）。"
SETTING_NAMES = {
    "card_review_months": "活动证年审周期（月，FP102）",
    "inspect_days": "返回后查验活动证期限（天，FP103）",
    "checkin_days": "领证后报到期限（天，FP104）",
    "dues_warning_months": "欠交党费警告（月，FP201）",
    "dues_error_months": "欠交党费错误（月，FP202）",
    "report_months": "汇报周期（月）",
    "lost_contact_months": "失去联系（月，FP302）",
    "org_life_months": "未参加组织生活（月，FP303）",
    "fixed_place_months": "固定地点外出转组织关系（月，FP401）",
    "group_min_members": "建临时党小组人数（FP402）",
    "probation_notice_days": "预备期满提前提示（天，FP501）",
    "feedback_months": "向流出地反馈周期（月，FP603）",
    "dues_everyone": "党费规则查全体党员（1 是 / 0 否）",
}
HISTORY_VOIDED = "作废{table}（原因：{reason}）"
# ---- values (issue 12): text as typed, amounts, IDs, dates, places, sheet headers
TEXT_CONTROL_CHAR = "{field}“{value}”含有控制字符（如 \\x1b），不能写入台账；请删去后重新输入。"
TEXT_TOO_LONG = "{field}“{value}”太长：{length} 个字符，最多 {limit} 个；请删减，不会自动截断。"
AMOUNT_DECIMAL_COMMA = "{field}“{value}”中的逗号不是千位分隔符：小数请用小数点，如 36.00；千位分隔只能每三位一个逗号，如 1,200.00。"
AMOUNT_TOO_BIG = "{field}“{value}”不是合理的金额（过大或不是有限的数）。"
DUES_IMPLAUSIBLE = "金额 {amount} 元分摊到 {months} 个月，每月 {per_month} 元，超过合理上限每月 {limit} 元；如确认无误，请加 --force。"
DUES_IMPLAUSIBLE_HINT = "上限可用 flowparty settings set dues_plausible_fen 分数 --reason 原因 修改（单位：分）。"
SETTING_DUES_PLAUSIBLE = "党费每月合理上限（分）"
ID_AS_NUMBER = "{field}“{value}”是数字格式，Excel 已把它变成科学计数或丢掉了末几位。"
ID_AS_NUMBER_HINT = "请在 Excel 中把身份证号这一列的单元格格式设为“文本”，重新填写身份证号后再导入。"
ID_BIRTH_IMPLAUSIBLE = "{field}“{value}”中的出生日期 {born} 不合理（应在 1900-01-01 到今天之间）。"
DATE_BLANK = "{field}没有有效的日期：0 或 1899-12-30 是 Excel 中空白日期单元格的值；请填写实际日期。"
DATE_BEFORE_1900 = "{field}“{value}”早于 1900 年，不是有效的日期。"
HEADER_DUPLICATE = "工作表“{sheet}”中有两列都表示“{key}”：第 {first} 列“{first_text}”和第 {second} 列“{second_text}”；请删去或改名其中一列。"
IMPORT_IGNORED_COLUMNS = "未使用的列：{columns}"
IMPORT_UNPLACED = "未能识别省市的外出地点（按原文保存）：{places}"
# ---------------------------------------------------------------- round trip (issue 12): export all ⇄ import all
# The headers export all writes, each also a header the importers read: (key, header, other spellings...).
ROUNDTRIP_ALIASES = {
    "setting_key": ("设置项",),
    "setting_name": ("设置名称",),
    "setting_value": ("设置值",),
    "quarterly": ("按季交纳", "按季度交纳"),
    "status": ("状态", "当前状态", "外出状态"),
    "added_on": ("登记日期", "列入名册日期"),
    "province": ("省", "省份", "流入省份", "所在省"),
    "city": ("市", "城市", "流入城市", "所在市"),
    "away_phone": ("外出联系电话", "外出期间联系电话", "外出期间电话"),
    "fixed": ("固定处所", "有固定处所", "固定地点"),
    "briefed": ("外出前教育", "已进行外出前教育"),
    "card_no": ("活动证编号", "流动党员活动证编号", "活动证号"),
    "card_issued": ("发证日期", "活动证发放日期", "发放日期"),
    "inspected_on": ("查验日期", "活动证查验日期"),
    "transferred_on": ("转出日期", "组织关系转出日期"),
    "transfer_to": ("转入组织", "转入党组织", "组织关系转至"),
    "outflow_summary": ("外出小结", "外出期间小结"),
    "committee": ("盖章党委", "基层党委"),
    "voided_on": ("作废日期",),
    "void_reason": ("作废原因",),
    "reviewed_on": ("年审日期",),
    "reviewer": ("审核人", "年审人"),
    "review_result": ("年审结果",),
    "checked_in_on": ("报到日期", "报到时间"),
    "org": ("接收党组织", "报到党组织", "接收组织"),
    "assigned_branch": ("编入支部", "编入党支部"),
    "verified": ("已验证", "是否验证"),
    "filed": ("已备案", "是否备案"),
    "contacted_on": ("联系日期", "联系时间"),
    "channel": ("联系渠道", "联系途径"),
    "contact_note": ("联系内容", "联系情况"),
    "held_on": ("组织生活日期", "参加日期"),
    "org_life_kind": ("组织生活类型", "组织生活形式"),
    "org_life_place": ("参加地点", "组织生活地点"),
    "origin_org": ("原组织", "原党组织", "流出地党组织"),
    "origin_card_no": ("原活动证编号",),
    "arrived_on": ("到达日期", "流入日期", "流入时间"),
    "verified_on": ("验证日期",),
    "inflow_ended_on": ("离开日期",),
    "sent_on": ("反馈日期",),
    "feedback_note": ("反馈内容",),
    "group_name": ("小组名称", "临时党小组名称"),
    "group_city": ("所在城市",),
    "leader_name": ("组长姓名", "组长"),
    "leader_id": ("组长身份证号",),
    "formed_on": ("成立日期",),
    "year": ("年度",),
    "standard_kind": ("标准类型", "核定方式"),
    "base": ("计算基数", "月收入"),
    "monthly": ("每月党费", "月交金额", "每月金额"),
    "set_on": ("核定日期",),
    "decided_on": ("决定日期",),
    "conversion_outcome": ("处理结果",),
    "new_end": ("延长至", "新的期满日期"),
    "old_end": ("原预备期满日期", "原期满日期"),
}
for _key, _words in ROUNDTRIP_ALIASES.items():
    HEADER_ALIASES.setdefault(_key, _words)

EXPORT_KINDS.update({
    "settings": "台账设置", "roster": "党员名册", "cards": "活动证", "reviews": "活动证年审", "checkins": "报到记录",
    "contacts": "联系记录", "org_life": "组织生活记录", "inflows": "外来流动党员", "feedback": "反馈记录",
    "groups": "临时党小组", "group_members": "临时党小组成员", "dues_standards": "党费标准",
    "conversions": "预备期处理",
})


def _headers(*keys: str) -> tuple[str, ...]:
    return tuple(HEADER_ALIASES[k][0] for k in keys)


EXPORT_HEADERS["register"] = ("序号", "姓名", "性别", "身份证号", "联系电话", "入党时间", "外出时间", "省", "市", "详细地址",
                              "外出原因", "工作单位", "单位类型", "预计返回时间", "外出联系电话", "固定处所", "外出前教育",
                              "活动证编号", "发证日期", "状态", "返回日期", "查验日期", "转出日期", "转入组织", "外出小结")
EXPORT_HEADERS.update({
    "settings": _headers("setting_key", "setting_name", "setting_value"),
    "roster": _headers("seq", "name", "gender", "id_number", "phone", "category", "joined", "probation_ends",
                       "quarterly", "occupation", "status", "added_on", "notes"),
    "cards": _headers("name", "id_number", "card_no", "card_issued", "left_on", "committee", "voided_on",
                      "void_reason"),
    "reviews": _headers("name", "id_number", "card_no", "reviewed_on", "reviewer", "review_result", "notes"),
    "checkins": _headers("name", "id_number", "checked_in_on", "org", "assigned_branch", "verified", "filed",
                         "left_on"),
    "contacts": _headers("name", "id_number", "contacted_on", "channel", "contact_note"),
    "org_life": _headers("name", "id_number", "held_on", "org_life_kind", "org_life_place"),
    "inflows": _headers("name", "id_number", "origin_org", "origin_card_no", "arrived_on", "assigned_branch",
                        "verified_on", "inflow_ended_on"),
    "feedback": _headers("name", "id_number", "sent_on", "feedback_note"),
    "groups": _headers("group_name", "group_city", "leader_name", "leader_id", "formed_on"),
    "group_members": _headers("group_name", "name", "id_number"),
    "dues_standards": _headers("name", "id_number", "year", "standard_kind", "base", "monthly", "set_on"),
    "conversions": _headers("name", "id_number", "decided_on", "conversion_outcome", "new_end", "old_end"),
})
REGISTER_STATUS_CHOICES = {"外出": "away", "已返回": "returned", "已转出": "transferred", "返回": "returned",
                           "转出": "transferred", "在外": "away"}
ROSTER_CATEGORIES = {**MEMBER_CATEGORIES, "已取消预备党员资格": "cancelled", "已取消": "cancelled",
                     "取消预备党员资格": "cancelled"}
YES_NO_CHOICES = {YES: "1", NO: "0", "是的": "1", "有": "1", "无": "0", "√": "1", "1": "1", "0": "0"}
OUTCOME_CHOICES = {v: k for k, v in OUTCOMES.items()}
DUES_KIND_CHOICES = {v: k for k, v in DUES_KINDS.items()}
SETTING_NAMES_RT = {"branch": "支部名称", "committee": "基层党委", "code": "支部代码", "since": "台账起始月份",
                    "report_months": "汇报周期（月）", "home_province": "所在省", "home_city": "所在市",
                    "created_on": "建账日期", "demo": "示例台账"}
FIELD_ROUNDTRIP_STATUS = "状态"
IMPORT_ALL_KIND = "全部"
IMPORT_ALL_SETTINGS_DIFFER = ("工作簿的台账设置与本台账不符：“{name}”在工作簿中为“{theirs}”，本台账为“{ours}”。")
IMPORT_ALL_SETTINGS_HINT = "整本导入（import all）用于把 export all 导出的工作簿导入一本新建的台账。"
IMPORT_ALL_NO_SHEET = "工作簿中没有“{sheet}”工作表，这一类记录未导入。"
IMPORT_ALL_NOT_FOUND = "{what}：表中第 {row} 行引用的{ref}在台账中找不到。"
IMPORT_CARD_TWO_VALID = "{name} 同时有两张有效的活动证（{first}、{second}）；一人只能持有一张有效活动证。"
IMPORT_GROUP_UNKNOWN = "临时党小组“{name}”不在“临时党小组”工作表中。"
IMPORT_CARD_UNKNOWN = "活动证“{card_no}”不在台账中。"
IMPORT_OUTFLOW_UNKNOWN = "{name} 没有 {left_on} 外出的登记。"
SUMMARY_SHEET_LINE = "  {sheet}：新增 {added} 行，已在台账中 {unchanged} 行，有错误 {errors} 行。"
SUMMARY_IGNORED = "未使用的列（工作表“{sheet}”）：{columns}。这些列的内容没有导入。"
SUMMARY_UNPLACED = "无法确定省市的地点 {count} 处（按原文保存在详细地址中）：{places}"
SUMMARY_MISSING_SHEETS = "工作簿中没有这些工作表，相应记录未导入：{sheets}"
MERGE_SHARED_LINKED = "身份证号 {id}（{name}）：{first}登记为外出、{second}登记为外来，是同一人，已关联。"
MERGE_SHARED_BOTH = "身份证号 {id}（{name}）同时在{first}（{first_status}）和{second}（{second_status}）的台账中。"
MERGE_SHARED_HEADING = "两个支部台账都有的身份证号 {count} 个："
ROUNDTRIP_AWAY_BUT_ENDED = "状态为“{status}”（仍在外出），却填写了返回或转出日期；请核对“状态”列。"
TEMPLATE_NOTES.update({
    "quarterly": "是/否：按季度交纳党费的填“是”；留空为按月。",
    "province": "流入地的省（自治区、直辖市），如 浙江省；与“市”“详细地址”分列时可不填“外出地点”。",
    "city": "流入地的市（地区、自治州），直辖市填 上海市 等。",
    "away_phone": "外出期间的联系电话；留空时用“联系电话”。",
    "fixed": "是/否：在流入地有固定处所。",
    "briefed": "是/否：外出前已进行教育。",
    "card_no": "已发放的《流动党员活动证》编号，可留空。",
    "card_issued": "活动证发放日期；留空为外出时间。",
    "status": "外出/已返回/已转出；留空时填了返回日期即为已返回。",
    "inspected_on": "已返回的，活动证查验日期，可留空。",
    "transferred_on": "已转出的，组织关系转出日期。",
    "transfer_to": "已转出的，转入的党组织。",
    "outflow_summary": "外出期间小结，可留空。",
})
IMPORT_ALL_DONE = "已导入“{file}”（{sheets} 个工作表）：新增 {added} 行，已在台账中 {unchanged} 行，跳过有错误的 {skipped} 行。批次 {batch}。"
IMPORT_ALL_DRY_RUN = "试导入“{file}”（{sheets} 个工作表）：将新增 {added} 行，已在台账中 {unchanged} 行，有错误 {skipped} 行。未写入任何数据。"
IMPORT_ALL_HELP = "导入 export all 导出的整本工作簿：名册、登记簿、活动证、年审、报到、党费、汇报、联系、组织生活、外来党员、反馈、临时党小组、党费标准、预备期处理，一个批次，可撤销。"
IMPORT_KINDS.setdefault("all", "整本台账（export all 的全部工作表）")  # the batch kind of import all (import undo names it)
FIELD_TEXT = "文字"
TABLE_DROPPED = "（窗口较窄，未显示：{columns}；用 --json 可看全部）"

# ---- reliability round two (issue 13): diagnosis, damage marker, bounded input, output files
LEDGER_FOREIGN_HINT = "只有 flowparty init 和 flowparty demo 会建立台账；这个文件没有被改动。请用 --db 指定正确的台账文件。"
LEDGER_MARKED_DAMAGED = "台账上次检查发现损坏，修复之前不能写入：{path}"
LEDGER_MARKED_DAMAGED_HINT = "请先从备份恢复（见 flowparty check 的说明），再运行 flowparty check；检查通过后即可继续写入。"
DIAG_DISK_FULL = "磁盘已满，无法写入：{path}"
DIAG_DISK_FULL_HINT = "台账没有损坏，本次命令没有写入。请清理磁盘空间后再试。"
DIAG_READONLY = "没有写入权限：{path}"
DIAG_READONLY_HINT = "台账没有损坏。请检查文件和所在文件夹是否只读，或换一个可写的位置。"
DIAG_IS_FOLDER = "这是一个文件夹，不是台账文件：{path}"
DIAG_IS_FOLDER_HINT = "请用 --db 指定文件夹里的台账文件，例如 --db 文件夹/ledger.db。"
DIAG_IS_FOLDER_OUT = "这是一个文件夹，不能作为输出文件：{path}"
DIAG_TOO_BIG = "表格中的单元格过大，无法写入台账。"
DIAG_TOO_BIG_HINT = "请检查表格中是否有异常长的内容；本次命令没有写入。"
DIAG_IO_ERROR = "读写台账文件时出错：{path}（{detail}）"
DIAG_IO_ERROR_HINT = "台账不一定损坏。请检查磁盘或 U 盘是否还连接着，再运行 flowparty check。"
DIAG_NO_FOLDER = "文件夹不存在：{path}"
DIAG_NO_FOLDER_HINT = "请先建立这个文件夹，或换一个已有的位置。"
DIAG_CANNOT_WRITE = "没有写入权限：{path}"
BOUNDS_TOO_BIG = "表格文件解压后过大（约 {size}），超过上限 {limit}：{path}"
BOUNDS_TOO_BIG_HINT = "这可能不是正常的表格（压缩炸弹）。请把数据分成几个较小的文件，或另存为新的 xlsx 再导入。"
BOUNDS_RATIO = "表格文件中有一部分压缩比异常（{ratio} 倍）：{path}"  # {member}, the zip member, is not for the clerk
BOUNDS_LIES = "表格文件已损坏：其中一部分解压后的大小与文件记录的不符：{path}"
BOUNDS_BAD_ZIP = "表格文件已损坏，无法读取：{path}"
BOUNDS_BAD_ZIP_HINT = "请用 Excel 或 WPS 打开后另存为 xlsx 再导入。"
BOUNDS_CELL = "第 {row} 行“{column}”列的内容有 {length} 个字符，超过 Excel 单元格上限 32767 个字符。"
BOUNDS_CELL_HINT = "请检查这个单元格；flowparty 不会悄悄截断内容。"
BACKUP_UNSOUND = "备份副本未通过完整性检查，没有保留：{path}（{detail}）"
INTERRUPTED_NOTHING = "已中断，本次命令没有写入任何内容。"
BOUNDS_CELL_FILE = "表格中有一个单元格有 {length} 个字符，超过 Excel 单元格上限 32767 个字符：{path}"
AUDIT_LIMITED = "每条规则只列出前 {limit} 个问题，另有 {count} 个未列出；用 --all 列出全部，或 --json / --xlsx 文件 导出全部。"
MEMBER_SUGGEST = "您是不是要找：{candidates}？请用身份证号或正确的姓名。"
FIELD_FIND = "要查找的文字"
FIND_TITLE = "查找“{text}”：{count} 人"
FIND_NONE = "名册中没有姓名、身份证号或电话含有“{text}”的党员。"
EXPORT_KINDS["outflow_changes"] = "外出变更"
HEADER_ALIASES.setdefault("changed_on", ("变更日期",))
HEADER_ALIASES.setdefault("change_field", ("变更项",))
HEADER_ALIASES.setdefault("old_value", ("原值", "变更前"))
HEADER_ALIASES.setdefault("new_value", ("新值", "变更后"))
EXPORT_HEADERS["outflow_changes"] = ("姓名", "身份证号", "外出时间", "变更日期", "变更项", "原值", "新值")
IMPORT_CHANGE_FIELD = "变更项“{value}”不是外出登记中可变更的内容（省、市、详细地址、工作单位、单位类型、联系电话、固定地点）。"

# ---- the clerk's screen: completion, asking on a terminal, the member's timeline (SPEC §9; issue #14)
FIELD_SHELL = "命令行外壳"
SHELLS = {"bash": "bash", "zsh": "zsh"}
ASK_QUESTION = "{label}（{hint}）："
ASK_PLAIN = "{label}："
ASK_AGAIN = "不能为空，请重新输入（按 Ctrl-C 取消）。"
ASK_WILL_WRITE = "将要写入（{command}）："
ASK_ITEM = "  {label}：{value}"
ASK_FLAG_ON = "是"
ASK_NEXT_TIME = "下次可以一次输入：{line}"
ASK_CONFIRM = "写入吗？[y/N] "
ASK_YES = ("y", "yes", "是", "是的", "确定", "好")
ASK_CANCELLED = "没有写入任何内容。"
EVENTS_TITLE = "全部记录（按日期）"
EVENTS_HEADERS = ("日期", "事项", "内容")
EVENT_KINDS = {
    "inflow": "外来登记", "outflow": "外出登记", "card": "发放活动证", "checkin": "报到", "outflow_change": "外出变更",
    "review": "活动证年审", "dues": "交纳党费", "report": "汇报", "contact": "联系", "org_life": "组织生活",
    "feedback": "向原组织反馈", "conversion": "预备期处理", "group": "临时党小组", "inflow_verified": "活动证验证",
    "outflow_end": "外出结束", "inspection": "活动证查验", "transfer": "组织关系转出", "inflow_end": "离开本地",
    "card_voided": "活动证作废", "correction": "更正",
}
EVENT_PLACE = "外出地点"
EVENT_INSPECTED = "返回后查验并收回活动证"
EVENT_LEADER = "（组长）"
EVENT_CORRECTION = "{changes}（原因：{reason}）"
EVENT_VOIDED = "已作废：{reason}"
EVENTS_NONE = "（还没有任何记录）"
EVENTS_MORE = "每一处改动改之前、改之后的内容：flowparty history {member}"
HISTORY_HEAD = "第 {id} 条  {at}  {command}"
HISTORY_REASON = "原因：{reason}"
HISTORY_CHANGE = "· {change}"
# ---- batch-level history of an import's inserts (issue 15; flowparty/undo.py, views.py)
HISTORY_BATCH = "导入批次 {id}（{file}）新增 {count} 条{tables}"
HISTORY_BATCH_TABLES = "（{tables}）"
# ---- FP901 asks for `check` (the foreign-key check left the audit); member list pages
CHECK_DUE_CHANGED = "自上次导入或合并（{at}）以来还没有通过完整检查"
CHECK_DUE_OLD = "已超过 {days} 天没有通过完整检查（上次通过：{at}）"
CHECK_DUE_NEVER = "台账还没有通过完整检查"
CHECK_DUE_FIX = "请运行 flowparty check（完整性、外键与日期的完整检查；通过后记入台账）。"
CHECK_PASS_NOT_RECORDED = "检查通过，但未能把这次检查记入台账（{detail}）；审计仍会提示运行 flowparty check。"
MEMBER_LIST_LIMITED = "只列出前 {limit} 人，另有 {count} 人未列出；用 --all 列出全部，或 --limit 人数。"
AUDIT_NAMES_MORE = "等，另有 {count} 人见 --json 或 --xlsx"
XLSX_NAMES_MORE = "等，另有 {count} 人，一个单元格放不下，全部名单见 audit --json"
