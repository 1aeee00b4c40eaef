import { AlignmentType, Packer, Paragraph, Table, TextRun } from 'docx';
import type { StatsSummaryDto } from '@xiangan/shared';
import { body, doc, figuresTable, HEAD_FONT, heading1, OpenItem, placeholder, registerSentences, signature, title } from './report-docx';
import type { ReportForm } from './report-form-names';
import { bigCount, join, numbered, parts, Sections, voice } from './report-parts';

/** The town's (village's, county's) 安全生产和消防工作总结 for the period, in the reference's structure. */
export function annualReport(s: StatsSummaryDto, openItems: OpenItem[], today: string): (Paragraph | Table)[] {
  const p = parts(s, openItems, false);
  const { fv, v } = p;
  const out: (Paragraph | Table)[] = [];
  const name = s.org.name;
  out.push(title(`${name}${v.periodTitle}安全生产和消防工作总结`));
  out.push(
    body(
      `${v.periodWords}，${v.named}始终把安全生产和消防工作摆在各项工作的首位，认真落实上级关于安全生产和消防工作的一系列重要工作指示和工作部署，扛牢责任，抓实措施，${fv('hazards.found') ? `${v.span}排查整治各类隐患${fv('hazards.found')}项，` : ''}${v.area}安全生产和消防形势持续稳定，现就${v.spanWork}的工作汇报如下：`,
    ),
  );
  out.push(heading1(`一、${v.spanWork}开展的工作`));
  const sec = new Sections(out);
  sec.add(
    '以点带面，建强思想',
    numbered([
      fv('meetings.monthly')
        ? `${v.self}${v.span}召开安全生产和消防工作例会${fv('meetings.monthly')}次，传达学习上级有关安全生产和消防工作的重要指示精神，对各行业部门和村（居）安全生产重点工作的开展情况进行通报`
        : '',
    ]),
    { keepEmpty: '请写出本期学习贯彻上级安全生产重要论述和会议精神的情况（中心组学习、例会传达、事故教训通报等）。' },
  );
  if (fv('meetings.monthly')) out.push(placeholder('请补充中心组专题学习、传达学习的事故教训等内容。'));
  sec.add(
    '压实责任，健全体系',
    numbered([
      p.letters.length ? `全面落实安全生产主体责任，${p.letters.join('，')}` : '',
      fv('staff.safetyManagers')
        ? `强化企业主体担当，按照一对多的方式，派驻企业安全管理员${fv('staff.safetyManagers')}人，督促企业负责人积极履行“安全生产第一责任人”责任`
        : '',
      s.fieldwork.campaigns.length
        ? `${v.self}扎实开展${s.fieldwork.campaigns
            .slice(0, 8)
            .map((c) => `“${c.name}”`)
            .join('、')}等安全生产专项行动，消除了安全隐患`
        : '',
    ]),
  );
  const enfParas: string[] = [];
  if (p.enf.length) enfParas.push(`${p.enf.join('；')}。`);
  if (p.traffic.length) enfParas.push(`道路交通方面，${p.traffic.join('，')}。`);
  // With no enforcement or traffic work (a village), the accident sentence closes the hazard section instead of
  // standing alone under a 强化监管 heading.
  if (p.inc && enfParas.length) enfParas.push(`各行业的严格监管、执法，极大地提升了各领域各行业本质安全水平，${p.inc}。`);
  sec.add('突出重点，隐患排查整治', [
    ...(p.inspections ? [`${p.inspections}。`] : []),
    ...numbered(p.sectors),
    ...registerSentences(s),
    ...(p.monthly ? [`${p.monthly}。`] : []),
    ...(p.inc && !enfParas.length ? [`通过以上工作，${p.inc}。`] : []),
  ]);
  sec.add('强化监管，严格执法', enfParas);
  sec.add(
    '提升认识，浓厚宣传',
    numbered([
      p.pub.length ? `坚持常态化开展安全生产宣传工作，${p.pub.join('、')}` : '',
      p.reachText,
      p.wx,
      p.schoolText,
      p.tr.length ? `组织${p.tr.join('，')}` : '',
    ]),
  );
  sec.add(
    '强化预案，重视实战',
    [p.drillText, p.plans].filter(Boolean).map((x) => `${x}。`),
  );
  out.push(heading1('二、存在的主要问题'));
  out.push(placeholder('请结合本期工作写出存在的不足（例如：企业人员安全意识、主体责任落实、执法能力等）。'));
  out.push(heading1('三、下一步工作计划'));
  out.push(placeholder('请写出下一步的工作计划（例如：专项整治、督导检查、压实责任、宣传培训、演练次数等）。'));
  out.push(...signature(name, today));
  appendix(out, s);
  return out;
}

/** The safety part of a 述职述廉报告, in the first person of the official in charge. */
export function dutyReport(s: StatsSummaryDto, openItems: OpenItem[], today: string, author?: string | null): (Paragraph | Table)[] {
  const p = parts(s, openItems, true);
  const { v } = p;
  const out: (Paragraph | Table)[] = [];
  out.push(title(`${s.org.name}${v.periodTitle}述职述廉报告（安全生产部分）`));
  out.push(
    body(
      `${v.span === '全年' ? '一年以来' : `${v.periodWords}`}，在${v.party}的正确领导下，我紧紧围绕${v.area}工作大局，认真履行分管安全生产工作的岗位职责，务实创新，勤奋工作，廉洁自律，圆满地完成了各项工作任务。现将履职情况和廉政情况汇报如下：`,
    ),
  );
  out.push(heading1('一、坚持理论学习，提高综合素质'));
  out.push(placeholder('请写出本人学习习近平总书记关于安全生产重要论述、《安全生产法》等法律法规的情况。'));
  out.push(heading1('二、坚持立足本职，落实分管职责'));
  const sec = new Sections(out);
  sec.add('完善安全主体责任制', p.letters.length ? [`全面落实安全生产主体责任，${p.letters.join('，')}，进一步落实食品和消防安全主体责任。`] : []);
  const safety = [p.inspections ? `${p.inspections}` : '', ...p.sectors.filter((x) => !x.startsWith('食品药品') && !x.startsWith('消防安全'))]
    .filter(Boolean)
    .join('；');
  const food = p.sectors.find((x) => x.startsWith('食品药品'));
  const fire = p.sectors.find((x) => x.startsWith('消防安全'));
  sec.add(
    '加强隐患排查整治',
    numbered([
      safety ? `安全生产方面。${safety}` : '',
      food ? `食品安全方面。${food.replace(/^食品药品方面，/, '')}` : '',
      fire || p.enf.length ? `消防安全方面。${[fire?.replace(/^消防安全方面，/, ''), ...p.enf].filter(Boolean).join('；')}` : '',
      p.traffic.length ? `道路交通方面。${p.traffic.join('，')}` : '',
    ]),
  );
  // Publicity, training and the schools each a paragraph of their own (one run-on paragraph read as a list).
  sec.add(
    '坚持广泛宣传筑安全',
    [
      join([p.pub.length ? `积极开展安全生产宣传教育“七进”工作，${p.pub.join('，')}` : '', p.reachText]),
      p.tr.length ? `组织${p.tr.join('，')}` : '',
      p.schoolText,
    ]
      .filter(Boolean)
      .map((x) => `${x}。`),
  );
  sec.add(
    '强化应急管理和演练工作',
    [p.plans, p.drillText].filter(Boolean).map((x) => `${x}。`),
  );
  if (p.inc) out.push(body(`通过以上工作，${p.inc}。`));
  out.push(heading1('三、坚持廉洁自律，筑牢反腐倡廉之堤'));
  out.push(placeholder('请写出本人廉洁自律、落实“一岗双责”的情况。'));
  out.push(heading1('四、存在不足'));
  out.push(placeholder('请写出分管工作中存在的不足。'));
  out.push(heading1('五、下一步工作安排'));
  out.push(placeholder('请分安全生产、食品安全、消防安全写出下一步工作安排。'));
  // The officer who downloads it is the one reporting (述职人); without a name on the account, the official writes it.
  out.push(...signature(`${s.org.name}　述职人：${author?.trim() || '【请填写】'}`, today));
  return out;
}

/** The 安全生产专项整治三年行动 summary over a multi-year period, by sector as the reference writes it. */
export function campaignReport(s: StatsSummaryDto, openItems: OpenItem[], today: string): (Paragraph | Table)[] {
  const p = parts(s, openItems, false);
  const { fv, v } = p;
  const out: (Paragraph | Table)[] = [];
  out.push(title(`${s.org.name}安全生产专项整治三年行动工作总结`));
  if (v.periodTitle)
    out.push(new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: `（${v.periodTitle}）`, font: HEAD_FONT, size: 32 })] }));
  out.push(
    body(
      `根据上级关于安全生产专项整治三年行动有关部署要求，${v.self}坚持“安全生产、预防为主、综合治理”和“党政同责、一岗双责、失职追责、尽职免责”的原则，扎实有效地做好重点行业领域的专项整治工作。现就${v.self}安全生产专项整治三年行动的工作总结如下。`,
    ),
  );
  out.push(heading1('一、提高认识，加强领导，完善安全生产工作措施'));
  const first: string[] = [];
  if (fv('publicity.brochures')) first.push(`发放安全宣传册${bigCount(fv('publicity.brochures'))}份`);
  if (s.publicity.deliveries) first.push(`推送微信${bigCount(s.publicity.deliveries)}条`);
  if (fv('publicity.ledPlays')) first.push(`利用显示屏滚动播放${bigCount(fv('publicity.ledPlays'))}条`);
  out.push(
    first.length
      ? body(`${v.party}高度重视安全生产工作，充分利用各种会议、村广播、LED显示屏、悬挂宣传横幅等方式加大宣传力度，${first.join('，')}。`)
      : placeholder('请写出领导小组、工作方案和宣传发动情况。'),
  );
  out.push(heading1('二、突出重点，深化整治，加强监管'));
  const sector = (code: string) => s.fieldwork.bySector.find((x) => x.sector === code);
  const checks = (code: string) => {
    const x = sector(code);
    if (!x) return '';
    return join([
      x.units ? `共检查单位${x.units}家次` : x.inspections ? `开展检查${x.inspections}次` : '',
      x.hazards ? `排查整治一般安全隐患${x.hazards}处` : '',
    ]);
  };
  const sec = new Sections(out);
  sec.add('道路交通安全整治', p.traffic.length ? [`组织人员上路执法检查和文明劝导，${p.traffic.join('，')}。`] : []);
  sec.add('消防安全整治', checks('fire') ? [`落实各级各部门消防责任，${checks('fire')}。`] : []);
  const dangerous = registerSentences(s).filter((x) => x.startsWith('以烟花爆竹'));
  const labelled = (code: string, label: string) => (checks(code) ? `${label}${checks(code)}` : '');
  sec.add(
    '危险化学品和烟花爆竹',
    [...dangerous, join([labelled('fireworks', '烟花爆竹领域'), labelled('hazardous_chemicals', '危险化学品领域')], '；')]
      .filter(Boolean)
      .map((x) => (x.endsWith('。') ? x : `${x}。`)),
  );
  sec.add(
    '地质灾害预防',
    registerSentences(s).filter((x) => x.startsWith('汛期')),
  );
  sec.add(
    '建筑施工',
    [join([fv('letters.construction') ? `与${fv('letters.construction')}家施工单位签订安全责任书` : '', checks('construction')])]
      .filter(Boolean)
      .map((x) => `${x}。`),
  );
  const forest = s.registers
    ? s.registers.incidents.find((x) => x.kind === 'forest_fire')?.count
      ? `发生森林火灾${s.registers.incidents.find((x) => x.kind === 'forest_fire')!.count}起`
      : '辖区内无一起森林火灾发生'
    : '';
  sec.add(
    '森林防火',
    [join([checks('forest_fire'), forest])].filter(Boolean).map((x) => `${x}。`),
  );
  sec.add(
    '校园及周边环境',
    [
      join([
        fv('pledges.holiday') ? `签订安全承诺书${fv('pledges.holiday')}份` : '',
        fv('pledges.drowning') ? `签订防溺水承诺书${bigCount(fv('pledges.drowning'))}份` : '',
        fv('campus.schoolBuses') ? `检查校车${fv('campus.schoolBuses')}车次` : '',
      ]),
    ]
      .filter(Boolean)
      .map((x) => `${x}。`),
  );
  const food = sector('food_drug');
  sec.add(
    '食品药品安全',
    food
      ? [
          `${join([food.units ? `检查单位${food.units}家` : `开展检查${food.inspections}次`, food.hazards ? `查出一般隐患${food.hazards}起，整治完成${food.hazardsRectified}起` : ''])}。`,
        ]
      : [],
  );
  out.push(heading1('三、下一步工作计划'));
  out.push(placeholder('请写出下一步工作计划。'));
  out.push(...signature(s.org.name, today));
  appendix(out, s);
  return out;
}

function appendix(out: (Paragraph | Table)[], s: StatsSummaryDto) {
  out.push(
    new Paragraph({ pageBreakBefore: true, children: [new TextRun({ text: '附：主要数据一览（由“乡安”系统按台账记录统计）', font: HEAD_FONT, size: 28 })] }),
  );
  out.push(figuresTable(s));
}

export async function buildReport(form: ReportForm, s: StatsSummaryDto, openItems: OpenItem[], today: string, author?: string | null): Promise<Buffer> {
  const children =
    form === 'duty' ? dutyReport(s, openItems, today, author) : form === 'campaign' ? campaignReport(s, openItems, today) : annualReport(s, openItems, today);
  return Packer.toBuffer(doc(children));
}

/** The file name: unit, period and form (石桥镇2026年第三季度安全生产和消防工作总结.docx). */
export function reportFilename(form: ReportForm, s: StatsSummaryDto): string {
  const v = voice(s);
  if (form === 'campaign') return `${s.org.name}安全生产专项整治三年行动工作总结（${v.periodTitle}）.docx`;
  return `${s.org.name}${v.periodTitle}${form === 'duty' ? '述职述廉报告（安全生产部分）' : '安全生产和消防工作总结'}.docx`;
}
