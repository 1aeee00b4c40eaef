import { Input, Picker, Text, Textarea, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { FIELD_KINDS, FIELD_TYPE_LABELS, FieldRecordDto, FieldType, HAZARD_CATEGORIES } from '@xiangan/shared';
import { useState } from 'react';
import { Card, Empty, PageShell, PrimaryButton } from '../../components';
import { createFieldRecord, listFieldRecords, updateFieldRecord } from '../../services/fieldwork';
import { newIdempotencyKey, toastError } from '../../services/request';
import './index.scss';
import { a11y } from '../../utils/a11y';

const TYPES: FieldType[] = ['inspection', 'enforcement', 'drill', 'activity'];
const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/** Quick entry in the field: type and kind by big buttons, date today, counts with steppers. */
export default function FieldworkPage() {
  const [type, setType] = useState<FieldType>('inspection');
  const [kind, setKind] = useState<string>('routine');
  const [date, setDate] = useState(today());
  const [sector, setSector] = useState<string>('fire');
  const [metrics, setMetrics] = useState<Record<string, number>>({});
  const [campaign, setCampaign] = useState('');
  const [notes, setNotes] = useState('');
  const [editing, setEditing] = useState<FieldRecordDto | null>(null);
  const [recent, setRecent] = useState<FieldRecordDto[]>([]);
  const [key, setKey] = useState(newIdempotencyKey());
  const rule = FIELD_KINDS[type][kind];
  // 行业领域 belongs to inspections and enforcement (and kinds that ask for it); a drill or a meeting has none.
  const showSector = !!rule.sectorRequired || type === 'inspection' || type === 'enforcement';

  const load = (t = type) => listFieldRecords(t, { pageSize: 10 }).then((p) => setRecent(p.items), toastError);
  useDidShow(() => void load());

  const pickType = (t: FieldType) => {
    setType(t);
    setKind(Object.keys(FIELD_KINDS[t])[0]);
    setMetrics({});
    setEditing(null);
    void load(t);
  };
  const step = (m: string, d: number) => setMetrics((x) => ({ ...x, [m]: Math.max(0, (x[m] ?? 0) + d) }));
  const reset = () => {
    setMetrics({});
    setNotes('');
    setCampaign('');
    setEditing(null);
    setKey(newIdempotencyKey());
  };
  const submit = async () => {
    // say which count is missing, in the form's own words (the server's 400 names only the field key)
    const missing = Object.entries(rule.metrics).filter(([m, r]) => r.required && metrics[m] == null).map(([, r]) => r.label);
    if (missing.length) {
      Taro.showToast({ title: `请填写${missing.join('、')}`, icon: 'none', duration: 3000 });
      return;
    }
    const body = { date, kind, sector: showSector ? (sector as any) : undefined, metrics, campaign: campaign || undefined, notes: notes || undefined };
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
  };
  const sectorIdx = Math.max(0, HAZARD_CATEGORIES.findIndex((c) => c.code === sector));

  return (
    <PageShell title='工作台账' footer={<PrimaryButton onClick={submit}>{editing ? '保存修改' : '保存记录'}</PrimaryButton>}>
      <View className='fw-types'>
        {TYPES.map((t) => (
          <View key={t} className={`fw-type ${t === type ? 'on' : ''}`} onClick={() => pickType(t)} {...a11y()}>
            {FIELD_TYPE_LABELS[t]}
          </View>
        ))}
      </View>
      <View className='fw-kinds'>
        {Object.entries(FIELD_KINDS[type]).map(([k, r]) => (
          <View key={k} className={`fw-kind ${k === kind ? 'on' : ''}`} onClick={() => (setKind(k), setMetrics({}))} {...a11y()}>
            {r.label}
          </View>
        ))}
      </View>
      <Card title={editing ? `修改：${editing.kindLabel}` : rule.label}>
        <Picker mode='date' value={date} end={today()} onChange={(e) => setDate(e.detail.value)}>
          <View className='fw-row'>
            <Text className='fw-label'>日期</Text>
            <Text className='fw-value'>{date}</Text>
          </View>
        </Picker>
        {showSector && (
          <Picker mode='selector' range={HAZARD_CATEGORIES.map((c) => c.label)} value={sectorIdx} onChange={(e) => setSector(HAZARD_CATEGORIES[Number(e.detail.value)].code)}>
            <View className='fw-row'>
              <Text className='fw-label'>行业领域</Text>
              <Text className='fw-value'>{HAZARD_CATEGORIES[sectorIdx].label}</Text>
            </View>
          </Picker>
        )}
        {Object.entries(rule.metrics).map(([m, r]) => (
          <View key={m} className='fw-row'>
            <Text className='fw-label'>
              {r.label}
              {r.required ? ' *' : ''}
            </Text>
            <View className='fw-stepper'>
              <View className='fw-btn' onClick={() => step(m, -1)} {...a11y()}>－</View>
              <Input className='fw-num' type={r.decimal ? 'digit' : 'number'} value={String(metrics[m] ?? 0)} onInput={(e) => setMetrics((x) => ({ ...x, [m]: Number(e.detail.value) || 0 }))} />
              <View className='fw-btn' onClick={() => step(m, 1)} {...a11y()}>＋</View>
              <Text className='fw-unit'>{r.unit}</Text>
            </View>
          </View>
        ))}
        {(type === 'inspection' || type === 'enforcement') && (
          <View className='fw-row'>
            <Text className='fw-label'>专项行动</Text>
            <Input className='fw-input' placeholder='如：打非治违专项行动' value={campaign} onInput={(e) => setCampaign(e.detail.value)} />
          </View>
        )}
        <Textarea className='fw-notes' placeholder='备注（检查了哪些单位、发现什么问题）' value={notes} maxlength={2000} onInput={(e) => setNotes(e.detail.value)} />
      </Card>
      <Card title='最近记录'>
        {recent.length === 0 && <Empty text='还没有记录' />}
        {recent.map((r) => (
          <View key={r.id} className='fw-item' onClick={() => edit(r)} {...a11y()}>
            <Text className='fw-item-title'>
              {r.date} {r.kindLabel}
              {r.sectorLabel ? ` · ${r.sectorLabel}` : ''}
            </Text>
            <Text className='fw-item-sub'>
              {Object.entries(r.metrics)
                .map(([m, v]) => `${FIELD_KINDS[r.type][r.kind]?.metrics[m]?.label ?? m}${v}${FIELD_KINDS[r.type][r.kind]?.metrics[m]?.unit ?? ''}`)
                .join('，') || '—'}
              {r.revisions ? `（已修改${r.revisions}次）` : ''}
            </Text>
          </View>
        ))}
      </Card>
    </PageShell>
  );
}
