import { Picker, Text, View } from '@tarojs/components';
import { useState } from 'react';
import { beijingToday } from '@xiangan/shared';
import { flattenOrgs, orgsApi } from '../../services/orgs';
import { getSummary } from '../../services/stats';
import { Card, Loading, PageShell, PrimaryButton } from '../../components';
import { useRemote } from '../../hooks/use-remote';
import { toastError } from '../../services/request';
import { getDashboard, openReport } from '../../services/stats';
import { COLOR } from '../../styles/colors';
import { F2Chart } from './F2Chart';
import './index.scss';

/** Charts: AntV F2 on a Canvas 2D node (weapp and h5); pledge progress as plain progress bars. */
const COLORS = [COLOR.chartA, COLOR.chartB];

function Legend({ names }: { names: [string, string] }) {
  return (
    <View className="st-legend">
      <Text className="dot a" />
      {names[0]}
      <Text className="dot b" />
      {names[1]}
    </View>
  );
}

/**
 * A card with two series per row (found, and closed or rectified), named alike in the legend and the chart: a line
 * over months, or bars across (one row per line, 90 a row, at least 360 tall).
 */
function FoundClosedCard(props: { title: string; names: [string, string]; rows: { x: string; found: number; closed: number }[]; bars?: boolean }) {
  const { title, names, rows, bars } = props;
  const data = rows.flatMap((r) => [
    { x: r.x, series: names[0], value: r.found },
    { x: r.x, series: names[1], value: r.closed },
  ]);
  return (
    <Card title={title}>
      <Legend names={names} />
      {bars ? (
        <F2Chart kind="bar" transposed height={Math.max(360, rows.length * 90)} colors={COLORS} data={data} />
      ) : (
        <F2Chart kind="line" colors={COLORS} data={data} />
      )}
    </Card>
  );
}

const FORMS = [
  { form: 'annual', label: '年度（季度）工作总结', file: '安全生产和消防工作总结' },
  { form: 'duty', label: '述职述廉报告（安全生产部分）', file: '述职述廉报告（安全生产部分）' },
  { form: 'campaign', label: '专项整治三年行动总结', file: '安全生产专项整治三年行动工作总结' },
] as const;
const PERIODS = ['全年', '季度', '月份', '三年', '自定'] as const;
type PeriodKind = (typeof PERIODS)[number];
const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** The period a choice means: a year (in January, last year), a quarter, a month, three years, or two dates. */
function periodOf(kind: PeriodKind, year: number, q: number, m: number, from: string, to: string): { from: string; to: string; title: string } {
  if (kind === '季度')
    return { from: `${year}-${pad(q * 3 - 2)}-01`, to: `${year}-${pad(q * 3)}-${lastDay(year, q * 3)}`, title: `${year}年第${'一二三四'[q - 1]}季度` };
  if (kind === '月份') return { from: `${year}-${pad(m)}-01`, to: `${year}-${pad(m)}-${lastDay(year, m)}`, title: `${year}年${m}月` };
  if (kind === '三年') return { from: `${year - 2}-01-01`, to: `${year}-12-31`, title: `${year - 2}—${year}年` };
  if (kind === '自定') return { from, to, title: `${from}至${to}` };
  return { from: `${year}-01-01`, to: `${year}-12-31`, title: `${year}年度` };
}

export default function StatsPage() {
  const dash = useRemote(getDashboard, [], { onShow: true });
  const today = beijingToday();
  const thisYear = Number(today.slice(0, 4));
  // The year-end report is written in January: then last year is the default.
  const [year, setYear] = useState(today.slice(5, 7) === '01' ? thisYear - 1 : thisYear);
  const [pk, setPk] = useState<PeriodKind>('全年');
  const [quarter, setQuarter] = useState(Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1);
  const [month, setMonth] = useState(Number(today.slice(5, 7)));
  const [from, setFrom] = useState(`${thisYear}-01-01`);
  const [to, setTo] = useState(today);
  const [formIdx, setFormIdx] = useState(0);
  const [orgId, setOrgId] = useState<number | undefined>(undefined);
  const units = useRemote(() => orgsApi.tree().then((t) => flattenOrgs(t, ['county', 'town', 'village', 'community'])), []).data ?? [];
  const p = periodOf(pk, year, quarter, month, from, to);
  const summary = useRemote(() => getSummary({ orgId, from: p.from, to: p.to }), [orgId, p.from, p.to]);
  const sum = summary.data;
  const d = dash.data;
  if (!d)
    return (
      <PageShell title="统计与总结">
        <Loading error={dash.error} onRetry={dash.reload} />
      </PageShell>
    );
  const figures = (sum?.figures ?? []).filter((f) => f.value > 0);
  const unitIdx = Math.max(
    0,
    units.findIndex((u) => u.unit.id === (orgId ?? d.org.id)),
  );
  const unitName = sum?.org.name ?? d.org.name;
  const form = FORMS[formIdx];
  const years = Array.from({ length: 6 }, (_, i) => thisYear - i);
  return (
    <PageShell title="统计与总结">
      <View className="st-tiles">
        <View className="st-tile">
          <Text className="st-n">{d.thisMonth.found}</Text>
          <Text className="st-t">本月上报隐患</Text>
        </View>
        <View className="st-tile">
          <Text className="st-n">{d.thisMonth.closed}</Text>
          <Text className="st-t">本月销号</Text>
        </View>
        <View className="st-tile">
          <Text className="st-n">{d.thisMonth.inProgress}</Text>
          <Text className="st-t">正在办理</Text>
        </View>
        <View className="st-tile">
          <Text className="st-n">{d.thisYear.rectificationRate === null ? '—' : `${Math.round(d.thisYear.rectificationRate * 100)}%`}</Text>
          <Text className="st-t">全年整改率</Text>
        </View>
      </View>
      <FoundClosedCard
        title={`${d.year}年每月隐患：上报 / 销号`}
        names={['上报', '销号']}
        rows={d.trend.map((t) => ({ x: `${Number(t.month.slice(5))}月`, found: t.found, closed: t.closed }))}
      />
      <FoundClosedCard
        title="按行业领域：上报 / 销号"
        names={['上报', '销号']}
        bars
        rows={[...d.byCategory.slice(0, 8)].reverse().map((c) => ({ x: c.label, found: c.found, closed: c.closed }))}
      />
      <FoundClosedCard
        title="按村（社区）和单位：上报 / 已整改"
        names={['上报', '已整改']}
        bars
        rows={[...d.byChild].reverse().map((c) => ({ x: c.orgName, found: c.found, closed: c.closed }))}
      />
      {d.pledges.length > 0 && (
        <Card title="承诺书签订进度">
          {d.pledges.map((p) => {
            const pct = p.rate === null ? null : `${Math.round(p.rate * 100)}%`;
            return (
              <View key={p.kind} className="st-pl">
                <View className="st-pl-head">
                  <Text className="st-pl-label">{p.label}</Text>
                  <Text className="st-pl-num">已签{p.signed}份</Text>
                </View>
                {p.roster > 0 && pct !== null ? (
                  <>
                    <View className="st-pl-track">
                      <View className="st-bar a" style={{ width: pct }} />
                    </View>
                    <Text className="st-pl-sub">
                      名单{p.roster}人，已签{pct}
                    </Text>
                  </>
                ) : (
                  <Text className="st-pl-sub">没有导入名单，按签订份数统计</Text>
                )}
              </View>
            );
          })}
        </Card>
      )}
      <Card title="写总结：单位、时间、文种">
        {units.length > 1 && (
          <Picker mode="selector" range={units.map((u) => u.unit.name)} value={unitIdx} onChange={(e) => setOrgId(units[Number(e.detail.value)].unit.id)}>
            <View className="st-fig">
              <Text className="st-fig-label">单位</Text>
              <Text className="st-fig-value">{unitName} ▾</Text>
            </View>
          </Picker>
        )}
        <View className="st-chips">
          {PERIODS.map((k) => (
            <View key={k} className={`st-chip ${k === pk ? 'on' : ''}`} onClick={() => setPk(k)}>
              {k}
            </View>
          ))}
        </View>
        {pk !== '自定' && (
          <Picker
            mode="selector"
            range={years.map((y) => `${y}年`)}
            value={Math.max(0, years.indexOf(year))}
            onChange={(e) => setYear(years[Number(e.detail.value)])}
          >
            <View className="st-fig">
              <Text className="st-fig-label">年份</Text>
              <Text className="st-fig-value">{pk === '三年' ? `${year - 2}—${year}年` : `${year}年`} ▾</Text>
            </View>
          </Picker>
        )}
        {pk === '季度' && (
          <Picker
            mode="selector"
            range={['第一季度', '第二季度', '第三季度', '第四季度']}
            value={quarter - 1}
            onChange={(e) => setQuarter(Number(e.detail.value) + 1)}
          >
            <View className="st-fig">
              <Text className="st-fig-label">季度</Text>
              <Text className="st-fig-value">第{'一二三四'[quarter - 1]}季度 ▾</Text>
            </View>
          </Picker>
        )}
        {pk === '月份' && (
          <Picker
            mode="selector"
            range={Array.from({ length: 12 }, (_, i) => `${i + 1}月`)}
            value={month - 1}
            onChange={(e) => setMonth(Number(e.detail.value) + 1)}
          >
            <View className="st-fig">
              <Text className="st-fig-label">月份</Text>
              <Text className="st-fig-value">{month}月 ▾</Text>
            </View>
          </Picker>
        )}
        {pk === '自定' && (
          <>
            <Picker mode="date" value={from} end={to} onChange={(e) => setFrom(e.detail.value)}>
              <View className="st-fig">
                <Text className="st-fig-label">从</Text>
                <Text className="st-fig-value">{from} ▾</Text>
              </View>
            </Picker>
            <Picker mode="date" value={to} start={from} onChange={(e) => setTo(e.detail.value)}>
              <View className="st-fig">
                <Text className="st-fig-label">到</Text>
                <Text className="st-fig-value">{to} ▾</Text>
              </View>
            </Picker>
          </>
        )}
        <Picker mode="selector" range={FORMS.map((f) => f.label)} value={formIdx} onChange={(e) => setFormIdx(Number(e.detail.value))}>
          <View className="st-fig">
            <Text className="st-fig-label">文种</Text>
            <Text className="st-fig-value">{form.label} ▾</Text>
          </View>
        </Picker>
      </Card>
      <Card title={`${unitName}${p.title}数据（写入总结）`}>
        {!sum && <Loading error={summary.error} onRetry={summary.reload} />}
        {sum && figures.length === 0 && <Text>这段时间还没有记录</Text>}
        {figures.map((f) => (
          <View key={f.key} className="st-fig">
            <Text className="st-fig-label">{f.label}</Text>
            <Text className="st-fig-value">
              {f.value}
              {f.unit}
            </Text>
          </View>
        ))}
      </Card>
      <View className="st-actions">
        <PrimaryButton
          onClick={() =>
            openReport(
              '/stats/summary.docx',
              { orgId: orgId ?? d.org.id, from: p.from, to: p.to, form: form.form },
              form.form === 'campaign' ? `${unitName}${form.file}（${p.title}）.docx` : `${unitName}${p.title}${form.file}.docx`,
            ).catch(toastError)
          }
        >
          下载{form.label}（Word）
        </PrimaryButton>
        <PrimaryButton
          onClick={() => openReport('/stats/monthly-brief.docx', { orgId: d.org.id, month: d.month }, `${d.org.name}${d.month}会商简报.docx`).catch(toastError)}
        >
          下载本月会商简报（Word）
        </PrimaryButton>
      </View>
    </PageShell>
  );
}
