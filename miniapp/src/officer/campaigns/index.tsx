import { Input, Picker, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { type OrgUnitDto, PLEDGE_CAMPAIGN_STATUS_LABELS, type PledgeTemplateDto } from '@xiangan/shared';
import { useState } from 'react';
import { beijingDate, beijingDayEnd, beijingToday } from '@xiangan/shared';
import { Card, Empty, Field, Loading, PageShell, PrimaryButton, StatusTag } from '../../components';
import { flattenOrgs, orgsApi } from '../../services/orgs';
import { useRemote } from '../../hooks/use-remote';
import { pledgesApi } from '../../services/pledges';
import { errorText, toastError } from '../../services/request';

const TONE = { open: 'success', expired: 'default', closed: 'default' } as const;
const day = (d: number) => beijingToday(d);

/** Officer: campaigns in my scope, and a short form to start one (template, unit, deadline). */
export default function Campaigns() {
  const [creating, setCreating] = useState(false);
  const [templates, setTemplates] = useState<PledgeTemplateDto[]>([]);
  const [units, setUnits] = useState<OrgUnitDto[]>([]);
  const [tpl, setTpl] = useState(0);
  const [unit, setUnit] = useState(0);
  const [deadline, setDeadline] = useState(day(14));
  const [title, setTitle] = useState('');

  const remote = useRemote(() => pledgesApi.campaigns({ pageSize: 100 }).then((r) => r.items), [], { onShow: true });
  const items = remote.data;

  const openForm = async () => {
    try {
      const [t, o] = await Promise.all([pledgesApi.templates(), orgsApi.tree()]);
      setTemplates(t);
      setUnits(flattenOrgs(o, ['town', 'village', 'community', 'school', 'enterprise', 'department']).map((x) => x.unit));
      setCreating(true);
    } catch (e) {
      toastError(e);
    }
  };

  const create = async () => {
    const t = templates[tpl];
    const u = units[unit];
    if (!t || !u) return;
    try {
      const c = await pledgesApi.create({
        templateVersionId: t.latest.id,
        orgId: u.id,
        deadline: beijingDayEnd(deadline).toISOString(),
        ...(title.trim() ? { title: title.trim() } : {}),
      });
      Taro.navigateTo({ url: `/officer/campaign/index?id=${c.id}` });
      setCreating(false);
    } catch (e) {
      Taro.showModal({ title: '没有创建成功', content: errorText(e), showCancel: false });
    }
  };

  if (!items)
    return (
      <PageShell title="承诺书活动">
        <Loading error={remote.error} onRetry={remote.reload} />
      </PageShell>
    );
  return (
    <PageShell
      title="承诺书活动"
      footer={
        !creating ? (
          <PrimaryButton id="new-campaign" onClick={openForm}>
            发起承诺书签署
          </PrimaryButton>
        ) : undefined
      }
    >
      {creating ? (
        <Card title="发起签署">
          <Field label="承诺书" required>
            <Picker
              mode="selector"
              range={templates.map((t) => `${t.kindLabel} · ${t.title}（第${t.versionCount}版）`)}
              value={tpl}
              onChange={(e) => setTpl(Number(e.detail.value))}
            >
              <View className="xa-input" id="pick-template">
                {templates[tpl] ? `${templates[tpl].kindLabel} · ${templates[tpl].title}` : '请选择'}
              </View>
            </Picker>
          </Field>
          <Field label="签署单位" required hint="学校、村（社区）或全镇">
            <Picker mode="selector" range={units.map((u) => u.name)} value={unit} onChange={(e) => setUnit(Number(e.detail.value))}>
              <View className="xa-input" id="pick-unit">
                {units[unit]?.name ?? '请选择'}
              </View>
            </Picker>
          </Field>
          <Field label="截止日期" required>
            <Picker mode="date" value={deadline} start={day(0)} onChange={(e) => setDeadline(e.detail.value)}>
              <View className="xa-input">{deadline}</View>
            </Picker>
          </Field>
          <Field label="标题" hint="不填则用“单位名称 + 承诺书名称”">
            <Input className="xa-input" id="campaign-title" value={title} maxlength={60} onInput={(e) => setTitle(e.detail.value)} />
          </Field>
          <PrimaryButton id="create-campaign" onClick={create}>
            创建
          </PrimaryButton>
          <PrimaryButton type="plain" onClick={() => setCreating(false)}>
            取消
          </PrimaryButton>
        </Card>
      ) : null}
      {items.length ? (
        items.map((c) => (
          <Card
            key={c.id}
            title={c.title}
            extra={<StatusTag tone={TONE[c.status]} text={PLEDGE_CAMPAIGN_STATUS_LABELS[c.status]} />}
            onClick={() => Taro.navigateTo({ url: `/officer/campaign/index?id=${c.id}` })}
          >
            <View className="xa-meta">
              {c.orgName} · 已签 {c.signedCount}
              {c.rosterCount ? ` / ${c.rosterCount}` : ''} 份 · 截止 {beijingDate(c.deadline)}
            </View>
          </Card>
        ))
      ) : (
        <Empty text="还没有承诺书活动" />
      )}
    </PageShell>
  );
}
