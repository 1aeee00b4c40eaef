import { BadRequestException } from '@nestjs/common';

/**
 * Chinese names of request fields, for the 400s a user reads on the phone. A validation message is composed as
 * `<where>` + `<label>` + `<predicate>`: `第 2 位签名：签名人不能为空`, `手机号须为 11 位大陆手机号`. The machine path
 * (`signatures.1.role`) travels beside it in the 400 body's `fields` for API clients and tests.
 *
 * Labels come from, in order: `@Label()` on the DTO property (a name whose meaning differs by form), then this
 * table by property name. `field-labels.nodb.spec.ts` fails on any validated DTO property that has neither.
 */
export interface LabelSpec {
  label: string;
  /** Measure word for one item of an array field (`第 2 位签名`); default 项. */
  unit?: string;
}

export const FIELD_LABELS: Record<string, string | LabelSpec> = {
  ackRequired: '需要确认',
  action: '操作类型',
  activeOnly: '只看有效',
  actorId: '操作人',
  address: '地址',
  anonymous: '匿名',
  archived: '已撤销',
  audience: '发送范围',
  bbox: '地图范围',
  body: { label: '正文', unit: '段' },
  bold: '加粗',
  boundary: '边界',
  campaign: '专项行动',
  category: '类别',
  code: '编码',
  contactPhone: '联系电话',
  date: '日期',
  deadline: '截止时间',
  deaths: '死亡人数',
  department: '行业部门',
  description: '情况描述',
  disable: '停用账号',
  disabled: '停用',
  dryRun: '只检查不导入',
  duplicateOfId: '重复的隐患',
  enterpriseOrgId: '所属企业',
  fields: '填写内容',
  file: '文件',
  findings: { label: '发现的问题', unit: '条' },
  fixed: '是否已整改',
  form: '报告形式',
  from: '开始日期',
  group: '班级',
  hazardIds: '关联隐患',
  hours: '有效时长（小时）',
  id: '编号',
  image: '签名图片',
  includeDisabled: '包括已停用',
  injuries: '受伤人数',
  inspectors: '检查人员',
  key: '字段代码',
  kind: '类型',
  label: '名称',
  lat: '纬度',
  level: '等级',
  lng: '经度',
  loss: '经济损失',
  maxUses: '可用次数',
  mediaId: '图片',
  metrics: '数量',
  mine: '只看我的',
  month: '月份',
  name: '名称',
  note: '说明',
  notes: '备注',
  officersOnly: '只看干部',
  openid: '微信身份',
  orgId: '单位',
  orgIds: '单位',
  overdue: '已超期',
  overdueClimbDays: '超期升级天数',
  page: '页码',
  pageSize: '每页条数',
  parentId: '上级单位',
  party: '当事人',
  passed: '是否通过',
  phone: '手机号',
  phoneCode: '微信手机号授权',
  photoIds: '照片',
  population: '人口',
  purpose: '图片用途',
  q: '搜索内容',
  reason: '原因',
  required: '是否必填',
  responsibleName: '负责人姓名',
  responsibleOrgId: '责任单位',
  responsiblePhone: '负责人电话',
  responsibleUserId: '责任人',
  results: '订阅结果',
  role: '角色',
  roles: '角色',
  rosterId: '名单中的学生（单位）',
  scheduledAt: '定时发布时间',
  sector: '行业领域',
  signatures: { label: '签名', unit: '位' },
  signers: { label: '签名人', unit: '位' },
  siteId: '风险点',
  sizeClass: '规模',
  status: '状态',
  tags: '演练科目',
  templateIds: '消息模板',
  templateVersionId: '承诺书模板',
  text: '文字',
  title: '标题',
  to: '结束日期',
  toUserId: '接手的干部',
  type: '类型',
  units: { label: '单位', unit: '个' },
  url: '链接',
  verdict: '审核结论',
  warningSigns: '警示标志',
  year: '年份',
};

const OWN = new WeakMap<object, Map<string, LabelSpec>>();

/** The Chinese name of this property in this form, where the table's name for it would be wrong or vague. */
export function Label(label: string, unit?: string): PropertyDecorator {
  return (proto, property) => {
    let m = OWN.get(proto.constructor);
    if (!m) OWN.set(proto.constructor, (m = new Map()));
    m.set(String(property), { label, unit });
  };
}

const spec = (v: string | LabelSpec | undefined): LabelSpec | undefined => (typeof v === 'string' ? { label: v } : v);

/** The label of `property` on a DTO class (walking up `extends`), else the table's; undefined when neither knows it. */
export function labelOf(property: string, dto?: object): LabelSpec | undefined {
  for (let c = dto as { prototype?: object } | null | undefined; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const own = OWN.get(c as object)?.get(property);
    if (own) return own;
  }
  return Object.prototype.hasOwnProperty.call(FIELD_LABELS, property) ? spec(FIELD_LABELS[property]) : undefined;
}

/** `第 2 位签名：` for an item of an array field, `填写内容：` for a field inside an object field. */
export function wherePrefix(parent: LabelSpec, index?: number): string {
  return index === undefined ? `${parent.label}：` : `第 ${index + 1} ${parent.unit ?? '项'}${parent.label}：`;
}

/** A field a form never sends (or a label nobody wrote): its name in 「」, said in Chinese. */
export const unknownLabel = (property: string): string => `字段「${property}」`;

/**
 * The Chinese sentence for a dotted field path, from the table: `problem('signatures.1.image', '无法读取')` →
 * `第 2 位签名：签名图片无法读取`. `label` replaces the last segment's name (a pledge's own field names).
 */
export function describe(field: string, predicate: string, label?: string): string {
  const parts = field.split('.');
  let prefix = '';
  for (let i = 0; i < parts.length - 1; i++) {
    if (/^\d+$/.test(parts[i])) continue;
    const parent = labelOf(parts[i]) ?? { label: unknownLabel(parts[i]) };
    const next = parts[i + 1];
    const last = i + 1 === parts.length - 1;
    if (/^\d+$/.test(next)) {
      // an item of a list: the item itself (last segment) or a field inside it
      if (last) return `${prefix}第 ${Number(next) + 1} ${parent.unit ?? '项'}${parent.label}${predicate}`;
      prefix += wherePrefix(parent, Number(next));
    } else if (!label || !last) prefix += wherePrefix(parent);
  }
  const name = label ?? labelOf(parts[parts.length - 1])?.label ?? unknownLabel(parts[parts.length - 1]);
  return `${prefix}${name}${predicate}`;
}

/** One problem with one field: the sentence for people, the path for programs. */
export interface FieldProblem {
  field: string;
  message: string;
}

export const problem = (field: string, predicate: string, label?: string): FieldProblem => ({ field, message: describe(field, predicate, label) });

/** A 400 whose body carries `message` (the sentences) and `fields` (each with its path). */
export function fieldErrors(problems: FieldProblem[]): BadRequestException {
  return new BadRequestException({ message: problems.map((p) => p.message), fields: problems });
}

/** A 400 for one field: `fieldError('phone', '须为 11 位大陆手机号')` → `手机号须为 11 位大陆手机号`. */
export const fieldError = (field: string, predicate: string, label?: string): BadRequestException => fieldErrors([problem(field, predicate, label)]);
