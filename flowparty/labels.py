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
AMOUNT_FORMS = "金额以元为单位，最多两位小数，例如 36、36.00 或 6.00元。"
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
    "group_id": "党小组", "changed_on": "变更日期", "fields": "变更内容",
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
