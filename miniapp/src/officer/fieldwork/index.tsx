import { Input, Picker, Text, Textarea, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import {
  beijingToday,
  FIELD_KINDS,
  FIELD_TYPE_LABELS,
  FieldFinding,
  FieldRecordDto,
  FieldType,
  FieldUnitRef,
  HAZARD_CATEGORIES,
  HazardCategory,
  LETTER_KINDS,
  missingMetrics,
  PUBLICITY_KINDS,
} from '@xiangan/shared';
import { useState } from 'react';
import { flattenOrgs, orgsApi } from '../../services/orgs';
import { Card, Empty, Loading, PageShell, PrimaryButton } from '../../components';
import { createFieldRecord, listFieldRecords, updateFieldRecord } from '../../services/fieldwork';
import { useRemote } from '../../hooks/use-remote';
import { newIdempotencyKey, toastError } from '../../services/request';
import './index.scss';
import { RecordItem } from '../RecordItem';
import { a11y } from '../../utils/a11y';

const TYPES: FieldType[] = ['inspection', 'enforcement', 'drill', 'activity'];

/** Quick entry in the field: type and kind by big buttons, date today, counts with steppers. */
export default function FieldworkPage() {
  const [type, setType] = useState<FieldType>('inspection');
  const [kind, setKind] = useState<string>('routine');
  const [date, setDate] = useState(beijingToday());
  const [sector, setSector] = useState<string>('fire');
  // a count left empty (or cleared) is absent, not 0, so a required one is reported missing
  const [metrics, setMetrics] = useState<Record<string, number | undefined>>({});
  const [campaign, setCampaign] = useState('');
  const [notes, setNotes] = useState('');
  const [editing, setEditing] = useState<FieldRecordDto | null>(null);
  const [key, setKey] = useState(newIdempotencyKey());
  // What the reports need beyond the counts: who did it, which units, what was found, the party, drill subjects.
  const orgs = useRemote(() => orgsApi.tree().then((t) => flattenOrgs(t)), []).data ?? [];
  const [orgId, setOrgId] = useState<number | undefined>(undefined);
  const [units, setUnits] = useState<FieldUnitRef[]>([]);
  const [unitName, setUnitName] = useState('');
  const [findings, setFindings] = useState<FieldFinding[]>([]);
  const [finding, setFinding] = useState('');
  const [party, setParty] = useState('');
  const [title, setTitle] = useState('');
  const [tags, setTags] = useState<string[]>([]);
  const rule = FIELD_KINDS[type][kind];
  // 行业领域 belongs to inspections and enforcement (and kinds that ask for it); publicity and school talks may name a
  // topic (食品安全宣传牌, 用电用气明白纸, 食品安全进校园); a drill or a meeting has none.
  const topical = type === 'activity' && (PUBLICITY_KINDS.includes(kind) || kind === 'school_talk');
  const showSector = !!rule.sectorRequired || type === 'inspection' || type === 'enforcement' || topical;
  // Units named on the record: inspected units, letter signers, plan filers, units publicity reached.
  const showUnits =
    type === 'inspection' ||
    type === 'enforcement' ||
    kind in LETTER_KINDS ||
    kind === 'plan_filing' ||
    PUBLICITY_KINDS.includes(kind) ||
    kind === 'info_board';
  const unitChoices = orgs.filter((o) => ['village', 'community', 'school', 'enterprise', 'department'].includes(o.unit.type));
  const doers = orgs.filter((o) => o.unit.type !== 'grid');
  const drillSubjects = Object.entries(FIELD_KINDS.drill)
    .filter(([k]) => k !== 'joint')
    .map(([, r]) => r.label);
  const unitLabel = (u: FieldUnitRef) => u.name ?? orgs.find((o) => o.unit.id === u.orgId)?.unit.name ?? `#${u.orgId}`;

  const remote = useRemote(() => listFieldRecords(type, { pageSize: 10 }).then((p) => p.items), [type], { onShow: true });
  const recent = remote.data ?? [];
  const load = remote.reload;

  const pickType = (t: FieldType) => {
    setType(t);
    setKind(Object.keys(FIELD_KINDS[t])[0]);
    setSector(t === 'activity' ? '' : 'fire');
    setMetrics({});
    setEditing(null);
  };
  const step = (m: string, d: number) => setMetrics((x) => ({ ...x, [m]: Math.max(0, (x[m] ?? 0) + d) }));
  const reset = () => {
    setMetrics({});
    setNotes('');
    setCampaign('');
    setUnits([]);
    setFindings([]);
    setParty('');
    setTitle('');
    setTags([]);
    setEditing(null);
    setKey(newIdempotencyKey());
  };
  const submit = async () => {
    // say which count is missing, in the words the server's 400 uses too (`请填写参演观摩人数（人）`)
    const missing = missingMetrics(type, kind, metrics);
    if (missing) {
      Taro.showToast({ title: missing, icon: 'none', duration: 3000 });
      return;
    }
    // A letter or an info board with units picked and no count typed counts the units picked.
    const m: Record<string, number> = Object.fromEntries(Object.entries(metrics).filter((e): e is [string, number] => e[1] != null));
    if (units.length && rule.metrics.units && !m.units && type === 'activity') m.units = units.length;
    const body = {
      date,
      kind,
      orgId,
      sector: showSector && sector ? (sector as HazardCategory) : undefined,
      metrics: m,
      campaign: campaign || undefined,
      notes: notes || undefined,
      units: showUnits ? units : undefined,
      party: type === 'enforcement' ? party || undefined : undefined,
      title: title || undefined,
      tags: type === 'drill' ? tags : undefined,
      ...(!editing && findings.length ? { findings } : {}),
    };
    try {
      if (editing) await updateFieldRecord(type, editing.id, body);
      else await createFieldRecord(type, body, key);
      Taro.showToast({ title: editing ? '已修改' : '已保存', icon: 'success' });
      reset();
      await load();
    } catch (e) {
      toastError(e);
    }
  };
  const edit = (r: FieldRecordDto) => {
    setEditing(r);
    setKind(r.kind);
    setDate(r.date);
    if (r.sector) setSector(r.sector);
    setMetrics(r.metrics);
    setCampaign(r.campaign ?? '');
    setNotes(r.notes ?? '');
    setOrgId(r.orgId);
    setUnits(r.units);
    setParty(r.party ?? '');
    setTitle(r.title ?? '');
    setTags(r.tags);
    setFindings([]);
  };
  const addUnit = (u: FieldUnitRef) => setUnits((xs) => (xs.some((x) => (u.orgId ? x.orgId === u.orgId : x.name === u.name)) ? xs : [...xs, u]));
  const sectorIdx = Math.max(
    0,
    HAZARD_CATEGORIES.findIndex((c) => c.code === sector),
  );
  const doerIdx = Math.max(
    0,
    doers.findIndex((o) => o.unit.id === orgId),
  );

  return (
    <PageShell title="工作台账" footer={<PrimaryButton onClick={submit}>{editing ? '保存修改' : '保存记录'}</PrimaryButton>}>
      <View className="fw-chips">
        <View className="fw-chip on" onClick={() => Taro.navigateTo({ url: '/officer/sites/index' })}>
          风险点台账 ›
        </View>
        <View className="fw-chip on" onClick={() => Taro.navigateTo({ url: '/officer/incidents/index' })}>
          事故和事件 ›
        </View>
      </View>
      <View className="fw-types">
        {TYPES.map((t) => (
          <View key={t} className={`fw-type ${t === type ? 'on' : ''}`} onClick={() => pickType(t)} {...a11y()}>
            {FIELD_TYPE_LABELS[t]}
          </View>
        ))}
      </View>
      <View className="fw-kinds">
        {Object.entries(FIELD_KINDS[type]).map(([k, r]) => (
          <View key={k} className={`fw-kind ${k === kind ? 'on' : ''}`} onClick={() => (setKind(k), setMetrics({}))} {...a11y()}>
            {r.label}
          </View>
        ))}
      </View>
      <Card title={editing ? `修改：${editing.kindLabel}` : rule.label}>
        <Picker mode="date" value={date} end={beijingToday()} onChange={(e) => setDate(e.detail.value)}>
          <View className="fw-row">
            <Text className="fw-label">日期</Text>
            <Text className="fw-value">{date}</Text>
          </View>
        </Picker>
        {doers.length > 1 && (
          <Picker mode="selector" range={doers.map((o) => o.unit.name)} value={doerIdx} onChange={(e) => setOrgId(doers[Number(e.detail.value)].unit.id)}>
            <View className="fw-row">
              <Text className="fw-label">{type === 'drill' ? '组织单位' : '实施单位'}</Text>
              <Text className="fw-value">{orgId ? doers[doerIdx]?.unit.name : '本单位'}</Text>
            </View>
          </Picker>
        )}
        {showSector && (
          <Picker
            mode="selector"
            range={HAZARD_CATEGORIES.map((c) => c.label)}
            value={sectorIdx}
            onChange={(e) => setSector(HAZARD_CATEGORIES[Number(e.detail.value)].code)}
          >
            <View className="fw-row">
              <Text className="fw-label">{topical ? '宣传主题' : '行业领域'}</Text>
              <Text className="fw-value">{topical && !sector ? '不限' : HAZARD_CATEGORIES[sectorIdx].label}</Text>
            </View>
          </Picker>
        )}
        {topical && sector && (
          <View className="fw-row" onClick={() => setSector('')}>
            <Text className="fw-label">不分主题</Text>
            <Text className="fw-value">清除主题</Text>
          </View>
        )}
        {type === 'drill' && (
          <View className="fw-row">
            <Text className="fw-label">演练名称</Text>
            <Input className="fw-input" placeholder="如：镇村联合应急演练" value={title} onInput={(e) => setTitle(e.detail.value)} />
          </View>
        )}
        {type === 'drill' && kind === 'joint' && (
          <View className="fw-chips">
            {drillSubjects.map((l) => (
              <View
                key={l}
                className={`fw-chip ${tags.includes(l) ? 'on' : ''}`}
                onClick={() => setTags((xs) => (xs.includes(l) ? xs.filter((x) => x !== l) : [...xs, l]))}
              >
                {l}
              </View>
            ))}
          </View>
        )}
        {type === 'enforcement' && (
          <View className="fw-row">
            <Text className="fw-label">当事人</Text>
            <Input className="fw-input" placeholder="被处罚的单位或个人" value={party} onInput={(e) => setParty(e.detail.value)} />
          </View>
        )}
        {showUnits && (
          <View className="fw-units">
            <Picker
              mode="selector"
              range={unitChoices.map((o) => `${o.unit.name}`)}
              onChange={(e) => addUnit({ orgId: unitChoices[Number(e.detail.value)].unit.id })}
            >
              <View className="fw-row">
                <Text className="fw-label">
                  {kind === 'plan_filing' ? '备案企业' : kind in LETTER_KINDS ? '签订单位' : PUBLICITY_KINDS.includes(kind) ? '宣传到的单位' : '检查的单位'}
                </Text>
                <Text className="fw-value">从列表选择 ▾</Text>
              </View>
            </Picker>
            <View className="fw-row">
              <Input className="fw-input fw-input-left" placeholder="不在列表中的，输入名称" value={unitName} onInput={(e) => setUnitName(e.detail.value)} />
              <View className="fw-add" onClick={() => (unitName.trim() ? (addUnit({ name: unitName.trim() }), setUnitName('')) : undefined)}>
                添加
              </View>
            </View>
            <View className="fw-chips">
              {units.map((u, i) => (
                <View key={`${u.orgId ?? u.name}-${i}`} className="fw-chip on" onClick={() => setUnits((xs) => xs.filter((_, j) => j !== i))}>
                  {unitLabel(u)} ✕
                </View>
              ))}
            </View>
          </View>
        )}
        {Object.entries(rule.metrics).map(([m, r]) => (
          <View key={m} className="fw-row">
            <Text className="fw-label">
              {r.label}
              {r.required ? ' *' : ''}
            </Text>
            <View className="fw-stepper">
              <View className="fw-btn" onClick={() => step(m, -1)} {...a11y()}>
                －
              </View>
              <Input
                className="fw-num"
                type={r.decimal ? 'digit' : 'number'}
                placeholder={r.label}
                value={metrics[m] == null ? '' : String(metrics[m])}
                onInput={(e) => setMetrics((x) => ({ ...x, [m]: e.detail.value.trim() === '' ? undefined : Number(e.detail.value) || 0 }))}
              />
              <View className="fw-btn" onClick={() => step(m, 1)} {...a11y()}>
                ＋
              </View>
              <Text className="fw-unit">{r.unit}</Text>
            </View>
          </View>
        ))}
        {(type === 'inspection' || type === 'enforcement') && (
          <View className="fw-row">
            <Text className="fw-label">专项行动</Text>
            <Input className="fw-input" placeholder="如：打非治违专项行动" value={campaign} onInput={(e) => setCampaign(e.detail.value)} />
          </View>
        )}
        {!editing && (type === 'inspection' || type === 'enforcement') && (
          <View className="fw-units">
            <View className="fw-row">
              <Input className="fw-input fw-input-left" placeholder="发现的问题（录入隐患台账）" value={finding} onInput={(e) => setFinding(e.detail.value)} />
              <View
                className="fw-add"
                onClick={() =>
                  finding.trim().length >= 2
                    ? (setFindings((xs) => [...xs, { category: sector as HazardCategory, description: finding.trim() }]), setFinding(''))
                    : undefined
                }
              >
                添加
              </View>
            </View>
            {findings.map((f, i) => (
              <View key={i} className="fw-finding" onClick={() => setFindings((xs) => xs.filter((_, j) => j !== i))}>
                {i + 1}．{f.description}（{HAZARD_CATEGORIES.find((c) => c.code === f.category)?.label}）✕
              </View>
            ))}
          </View>
        )}
        <Textarea className="fw-notes" placeholder="备注" value={notes} maxlength={2000} onInput={(e) => setNotes(e.detail.value)} />
      </Card>
      <Card title="最近记录">
        {!remote.data ? <Loading error={remote.error} onRetry={remote.reload} /> : recent.length === 0 ? <Empty text="还没有记录" /> : null}
        {recent.map((r) => (
          <RecordItem
            key={r.id}
            onTap={() => edit(r)}
            title={`${r.date} ${r.kindLabel}${r.sectorLabel ? ` · ${r.sectorLabel}` : ''}`}
            sub={`${
              Object.entries(r.metrics)
                .map(([m, v]) => `${FIELD_KINDS[r.type][r.kind]?.metrics[m]?.label ?? m}${v}${FIELD_KINDS[r.type][r.kind]?.metrics[m]?.unit ?? ''}`)
                .join('，') || '—'
            }${r.revisions ? `（已修改${r.revisions}次）` : ''}`}
          />
        ))}
      </Card>
    </PageShell>
  );
}
