import { Picker, Switch, Text, Textarea, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import type { HazardAction, HazardLevel, OrgUnitDto } from '@xiangan/shared';
import { beijingToday, COUNTY_DEPARTMENTS } from '@xiangan/shared';
import { HAZARD_ACTION_LABELS, HAZARD_LEVEL_LABELS, HAZARD_LEVELS, LIMITS } from '@xiangan/shared';
import { useState } from 'react';
import { Card, Field, Loading, openNavigation, PageShell, PointPreview, PrimaryButton, StatusTag } from '../../components';
import { HazardHead, Timeline } from '../../pages/hazard/HazardView';
import { useRemote } from '../../hooks/use-remote';
import { hazardsApi, statusText, statusTone } from '../../services/hazards';
import { flattenOrgs, orgsApi } from '../../services/orgs';
import { toastError } from '../../services/request';
import { askSubscribe, useSubscribeTemplates } from '../../services/subscribe';
import { chooseImages, uploadImages } from '../../services/upload';
import { COLOR } from '../../styles/colors';
import { a11y } from '../../utils/a11y';
import './index.scss';

const COUNTY_DEPTS: string[] = [...COUNTY_DEPARTMENTS];

/** One hazard for an officer: the facts, photos, timeline, and the actions the state machine allows. */
export default function OfficerHazardPage() {
  const id = Number(useRouter().params.id);
  const [form, setForm] = useState<HazardAction | null>(null);
  const [units, setUnits] = useState<{ unit: OrgUnitDto; trail: string[] }[]>([]);
  const [unitIdx, setUnitIdx] = useState(0);
  const [deadline, setDeadline] = useState(beijingToday(7));
  const [level, setLevel] = useState<HazardLevel>('general');
  const [note, setNote] = useState('');
  const [passed, setPassed] = useState(true);
  const [dept, setDept] = useState(0);
  const [photos, setPhotos] = useState<string[]>([]);
  const [dupOf, setDupOf] = useState<number | null>(null);

  const remote = useRemote(() => hazardsApi.detail(id).then((d) => (setLevel(d.level), d)), [id], { onShow: true });
  const h = remote.data;
  useSubscribeTemplates();
  const open = async (a: HazardAction) => {
    setForm(a);
    setNote('');
    setPhotos([]);
    setDupOf(null);
    if (a === 'assign' && !units.length) {
      const list = flattenOrgs(await orgsApi.tree().catch(() => [] as OrgUnitDto[])).filter((u) => u.unit.type !== 'county');
      setUnits(list);
      const here = list.findIndex((u) => u.unit.id === h?.orgId);
      setUnitIdx(Math.max(0, here));
    }
  };
  const submit = async () => {
    if (!form || !h) return;
    askSubscribe(['hazardDeadline']); // before any await: deadline reminders for the hazards this officer handles
    try {
      const photoIds = photos.length ? (await uploadImages(photos)).map((m) => Number(m.id)) : undefined;
      let body: Record<string, unknown> = {};
      if (form === 'assign') body = { responsibleOrgId: units[unitIdx].unit.id, deadline, level, note: note || undefined };
      else if (form === 'verify') body = { passed, note: note || undefined, photoIds };
      else if (form === 'reject') body = { reason: note, duplicateOfId: dupOf ?? undefined };
      else if (form === 'escalate') body = { department: COUNTY_DEPTS[dept], note };
      else if (form === 'start') body = { note: note || undefined };
      else body = { note, photoIds };
      const next = await hazardsApi.act(id, form, body as never);
      remote.setData(next);
      setForm(null);
      Taro.showToast({ title: `已${HAZARD_ACTION_LABELS[form]}`, icon: 'success' });
    } catch (err) {
      toastError(err);
    }
  };
  if (!h)
    return (
      <PageShell title="隐患处理">
        <Loading error={remote.error} onRetry={remote.reload} />
      </PageShell>
    );
  const needsNote = form && !['assign', 'start', 'verify'].includes(form);
  return (
    <PageShell title="隐患处理">
      <HazardHead h={h} officer onPhotoReviewed={remote.reload} />
      {h.lat != null && h.lng != null ? (
        <Card title="隐患位置">
          <PointPreview lat={h.lat} lng={h.lng} label={h.address ?? h.code} />
          {h.address ? <View className="lp-text">{h.address}</View> : null}
          <PrimaryButton type="secondary" onClick={() => openNavigation(h.lat!, h.lng!, `${h.code} ${h.orgName ?? ''}`.trim(), h.address ?? undefined)}>
            导航去这里
          </PrimaryButton>
        </Card>
      ) : (
        <Card title="隐患位置">
          <View className="lp-text lp-text--muted">上报时没有定位{h.address ? `，地点：${h.address}` : '，请电话联系上报人'}</View>
        </Card>
      )}
      {h.probableDuplicates.length ? (
        <Card title="附近可能重复的上报">
          {h.probableDuplicates.map((d) => (
            <View key={d.id} className="oh-row" onClick={() => Taro.navigateTo({ url: `/officer/hazard/index?id=${d.id}` })} {...a11y()}>
              <Text>
                {d.code} {d.description.slice(0, 12)}
              </Text>
              <StatusTag text={statusText(d.status)} tone={statusTone(d.status)} />
            </View>
          ))}
        </Card>
      ) : null}
      {!form ? (
        <View className="oh-actions">
          {h.actions.map((a) => (
            <PrimaryButton key={a} block={false} type={a === 'reject' ? 'danger' : a === 'comment' ? 'plain' : 'primary'} onClick={() => open(a)}>
              {HAZARD_ACTION_LABELS[a]}
            </PrimaryButton>
          ))}
        </View>
      ) : (
        <Card title={HAZARD_ACTION_LABELS[form]}>
          {form === 'assign' ? (
            <>
              <Field label="责任单位" required>
                <Picker
                  mode="selector"
                  range={units.map((u) => [...u.trail.slice(1), u.unit.name].join(' / '))}
                  value={unitIdx}
                  onChange={(e) => setUnitIdx(Number(e.detail.value))}
                >
                  <View className="xa-input">{units[unitIdx] ? units[unitIdx].unit.name : '加载中…'} ▾</View>
                </Picker>
              </Field>
              <Field label="整改期限" required>
                <Picker mode="date" value={deadline} start={beijingToday(0)} onChange={(e) => setDeadline(e.detail.value)}>
                  <View className="xa-input">{deadline} ▾</View>
                </Picker>
              </Field>
              <Field label="隐患等级">
                <Picker
                  mode="selector"
                  range={HAZARD_LEVELS.map((l) => HAZARD_LEVEL_LABELS[l])}
                  value={HAZARD_LEVELS.indexOf(level)}
                  onChange={(e) => setLevel(HAZARD_LEVELS[Number(e.detail.value)])}
                >
                  <View className="xa-input">{HAZARD_LEVEL_LABELS[level]} ▾</View>
                </Picker>
              </Field>
            </>
          ) : null}
          {form === 'verify' ? (
            <View className="oh-row">
              <Text>{passed ? '验收合格，销号' : '不合格，退回整改'}</Text>
              <Switch checked={passed} onChange={(e) => setPassed(e.detail.value)} color={COLOR.success} />
            </View>
          ) : null}
          {form === 'escalate' ? (
            <Field label="县级部门" required>
              <Picker mode="selector" range={COUNTY_DEPTS} value={dept} onChange={(e) => setDept(Number(e.detail.value))}>
                <View className="xa-input">{COUNTY_DEPTS[dept]} ▾</View>
              </Picker>
            </Field>
          ) : null}
          {form === 'reject' && h.probableDuplicates.length ? (
            <Field label="与哪条重复（选填）">
              <Picker
                mode="selector"
                range={['不是重复', ...h.probableDuplicates.map((d) => d.code)]}
                value={dupOf ? h.probableDuplicates.findIndex((d) => d.id === dupOf) + 1 : 0}
                onChange={(e) => setDupOf(Number(e.detail.value) ? h.probableDuplicates[Number(e.detail.value) - 1].id : null)}
              >
                <View className="xa-input">{dupOf ? h.probableDuplicates.find((d) => d.id === dupOf)?.code : '不是重复'} ▾</View>
              </Picker>
            </Field>
          ) : null}
          <Field
            label={form === 'reject' ? '不予受理的理由' : form === 'verify' && !passed ? '哪里不合格' : '说明'}
            required={!!needsNote || (form === 'verify' && !passed)}
          >
            <Textarea
              className="xa-textarea"
              value={note}
              maxlength={LIMITS.noteMax}
              onInput={(e) => setNote(e.detail.value)}
              placeholder={form === 'rectify' ? '例如：已安装护栏30米' : ''}
            />
          </Field>
          {['rectify', 'verify', 'comment'].includes(form) ? (
            <Field label={`照片（${photos.length}）`}>
              <PrimaryButton
                type="secondary"
                size="small"
                onClick={async () => setPhotos([...photos, ...(await chooseImages(LIMITS.hazardPhotosMax - photos.length))])}
              >
                拍整改后照片
              </PrimaryButton>
            </Field>
          ) : null}
          <View className="oh-buttons">
            <PrimaryButton type="plain" onClick={() => setForm(null)}>
              取消
            </PrimaryButton>
            <PrimaryButton onClick={submit}>确定{HAZARD_ACTION_LABELS[form]}</PrimaryButton>
          </View>
        </Card>
      )}
      <Timeline h={h} onPhotoReviewed={remote.reload} />
    </PageShell>
  );
}
