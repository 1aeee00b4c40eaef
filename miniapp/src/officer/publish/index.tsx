import { Image, Input, Picker, Textarea, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import {
  beijingIso,
  type CalendarPresetDto,
  type FeedMessageDto,
  MESSAGE_CATEGORIES,
  type MessageBlock,
  type MessageCategory,
  type OrgUnitDto,
  type Role,
  ROLE_LABELS,
} from '@xiangan/shared';
import { useEffect, useState } from 'react';
import { Card, FormRow, PageShell, PrimaryButton, StatusTag } from '../../components';
import { apiUrl } from '../../services/config';
import { flattenOrgs, orgsApi } from '../../services/orgs';
import { publicityApi } from '../../services/publicity';
import { toastError } from '../../services/request';
import { chooseImages, uploadImage } from '../../services/upload';
import MessageBody from '../../pages/message/MessageBody';
import '../../pages/feed/index.scss';
import './index.scss';
import { a11y } from '../../utils/a11y';

const ROLE_CHOICES: Role[] = ['resident', 'grid_officer', 'village_officer', 'department_officer'];

/** Officer: compose a notice (from a calendar preset or blank), choose who gets it, preview, publish now or later. */
export default function Publish() {
  const editId = Number(useRouter().params.id) || null;
  const [presets, setPresets] = useState<CalendarPresetDto[]>([]);
  const [units, setUnits] = useState<{ unit: OrgUnitDto; trail: string[] }[]>([]);
  const [title, setTitle] = useState('');
  const [category, setCategory] = useState<MessageCategory>('other');
  const [blocks, setBlocks] = useState<MessageBlock[]>([{ type: 'p', text: '' }]);
  const [orgIds, setOrgIds] = useState<number[]>([]);
  const [roles, setRoles] = useState<Role[]>([]);
  const [ackRequired, setAck] = useState(false);
  const [date, setDate] = useState('');
  const [time, setTime] = useState('09:00');
  const [draftId, setDraftId] = useState<number | null>(editId);
  const [preview, setPreview] = useState<FeedMessageDto | null>(null);

  useEffect(() => {
    publicityApi
      .calendar()
      .then((c) => setPresets(c.presets))
      .catch(() => undefined);
    orgsApi
      .tree()
      .then((t) => setUnits(flattenOrgs(t)))
      .catch(toastError);
    if (editId)
      publicityApi
        .get(editId)
        .then((m) => {
          setTitle(m.title);
          setCategory(m.category);
          setBlocks(m.body.map((b) => (b.type === 'image' ? { type: 'image', mediaId: b.mediaId, text: b.text, url: b.url } : b)));
          setOrgIds(m.audience.units.map((u) => u.orgId));
          setRoles(m.audience.roles);
          setAck(m.ackRequired);
        })
        .catch(toastError);
  }, [editId]);

  const applyPreset = (p: CalendarPresetDto) => {
    setTitle(p.template.title);
    setCategory(p.category);
    setBlocks(p.template.body);
    setAck(p.ackRequired);
    const kinds = p.suggestedAudience;
    setOrgIds(
      units
        .filter(({ unit }) => (kinds.includes('town') ? unit.type === 'town' : kinds.includes(unit.type as (typeof kinds)[number])))
        .map(({ unit }) => unit.id)
        .slice(0, 50),
    );
  };
  const setBlock = (i: number, b: Partial<MessageBlock>) => setBlocks(blocks.map((x, k) => (k === i ? { ...x, ...b } : x)));
  const addImage = async () => {
    const [path] = await chooseImages(1);
    if (!path) return;
    try {
      const m = await uploadImage(path, { formData: { purpose: 'message' } });
      setBlocks([...blocks, { type: 'image', mediaId: Number(m.id), url: m.url }]);
    } catch (e) {
      toastError(e);
    }
  };
  const payload = () => ({
    title: title.trim(),
    category,
    ackRequired,
    body: blocks
      .filter((b) => (b.type === 'image' ? b.mediaId : b.text?.trim() || b.url))
      .map((b) => (b.type === 'image' ? { type: 'image' as const, mediaId: b.mediaId, ...(b.text ? { text: b.text } : {}) } : b)),
    audience: { orgIds, roles },
  });
  const save = async () => {
    const body = payload();
    const m = draftId ? await publicityApi.update(draftId, body) : await publicityApi.create(body);
    setDraftId(m.id);
    return m.id;
  };
  const run = (fn: () => Promise<unknown>) => async () => {
    try {
      await fn();
    } catch (e) {
      toastError(e);
    }
  };
  const doPreview = run(async () => setPreview(await publicityApi.preview(await save())));
  const doSave = run(async () => {
    await save();
    Taro.showToast({ title: '草稿已保存', icon: 'success' });
  });
  const doPublish = run(async () => {
    const id = await save();
    const scheduledAt = date ? beijingIso(date, time) : undefined;
    await publicityApi.publish(id, scheduledAt ? { scheduledAt } : {});
    Taro.showToast({ title: scheduledAt ? '已定时' : '已发布', icon: 'success' });
    Taro.redirectTo({ url: `/officer/reach/index?id=${id}` });
  });

  if (preview)
    return (
      <PageShell
        title="预览"
        subtitle="村民收到后看到的样子（还没有发出）"
        footer={
          <PrimaryButton type="secondary" onClick={() => setPreview(null)}>
            返回修改
          </PrimaryButton>
        }
      >
        <View className="pub-title">{preview.title}</View>
        <View className="pub-meta">
          <StatusTag tone="primary" text={preview.categoryLabel} />
          {preview.publisherOrgName}
        </View>
        <MessageBody body={preview.body} />
        {preview.ackRequired ? <PrimaryButton disabled>已阅并知晓（村民看到的按钮）</PrimaryButton> : null}
      </PageShell>
    );
  return (
    <PageShell
      title="发布宣传"
      footer={
        <View className="pubc-actions">
          <PrimaryButton type="secondary" block={false} onClick={doSave}>
            存草稿
          </PrimaryButton>
          <PrimaryButton type="secondary" block={false} onClick={doPreview}>
            预览
          </PrimaryButton>
          <PrimaryButton block={false} onClick={doPublish} id="publish-button" className="pubc-actions__main">
            {date ? '定时发布' : '立即发布'}
          </PrimaryButton>
        </View>
      }
    >
      {presets.length ? (
        <Card title="宣传日历（点选套用模板）">
          <View className="pubc-presets">
            {presets.map((p) => (
              <View key={p.key} className={`pubc-preset ${p.active ? 'pubc-preset--on' : ''}`} onClick={() => applyPreset(p)} {...a11y()}>
                {p.name}
                <View className="pubc-preset__date">
                  {p.from.slice(5)}
                  {p.to !== p.from ? `～${p.to.slice(5)}` : ''}
                </View>
              </View>
            ))}
          </View>
        </Card>
      ) : null}
      <Card title="标题">
        <Input
          className="pubc-input"
          value={title}
          maxlength={60}
          placeholder="例如：暑期防溺水“六不”"
          onInput={(e) => setTitle(e.detail.value)}
          id="title-input"
        />
      </Card>
      <Card title="正文">
        {blocks.map((b, i) => (
          <View key={i} className="pubc-block">
            {b.type === 'image' ? (
              b.url ? (
                <Image className="pubc-img" src={apiUrl(b.url)} mode="widthFix" />
              ) : (
                <View className="pubc-tag">图片</View>
              )
            ) : b.type === 'video' ? (
              <Input className="pubc-input" value={b.url} placeholder="视频链接 https://…" onInput={(e) => setBlock(i, { url: e.detail.value })} />
            ) : (
              <Textarea
                className={`pubc-text ${b.bold ? 'pub-body__p--bold' : ''}`}
                value={b.text ?? ''}
                maxlength={2000}
                autoHeight
                placeholder={b.type === 'h' ? '小标题' : '段落内容'}
                onInput={(e) => setBlock(i, { text: e.detail.value })}
              />
            )}
            <View className="pubc-block__ops">
              {b.type === 'p' ? (
                <View className="pubc-op" onClick={() => setBlock(i, { bold: !b.bold })} {...a11y()}>
                  {b.bold ? '取消加粗' : '加粗'}
                </View>
              ) : null}
              <View className="pubc-op" onClick={() => setBlocks(blocks.filter((_, k) => k !== i))} {...a11y()}>
                删除
              </View>
            </View>
          </View>
        ))}
        <View className="pubc-add">
          <View className="pubc-op" onClick={() => setBlocks([...blocks, { type: 'p', text: '' }])} {...a11y()}>
            + 段落
          </View>
          <View className="pubc-op" onClick={() => setBlocks([...blocks, { type: 'h', text: '' }])} {...a11y()}>
            + 小标题
          </View>
          <View className="pubc-op" onClick={addImage} {...a11y()}>
            + 图片
          </View>
          <View className="pubc-op" onClick={() => setBlocks([...blocks, { type: 'video', url: '' }])} {...a11y()}>
            + 视频链接
          </View>
        </View>
      </Card>
      <Card title="类别与要求">
        <View className="pubc-hint">类别（点一个）</View>
        <View className="pubc-presets pubc-cats">
          {MESSAGE_CATEGORIES.map((c) => (
            <View
              key={c.code}
              className={`pubc-preset ${category === c.code ? 'pubc-preset--on' : ''}`}
              onClick={() => setCategory(c.code)}
              {...a11y({ role: 'radio', checked: category === c.code })}
            >
              {category === c.code ? '✓ ' : ''}
              {c.label}
            </View>
          ))}
        </View>
        <View
          className={`pubc-ack ${ackRequired ? 'pubc-ack--on' : ''}`}
          onClick={() => setAck(!ackRequired)}
          {...a11y({ role: 'checkbox', checked: ackRequired })}
        >
          <View className="pubc-ack__label">{ackRequired ? '✓ ' : '☐ '}需要确认</View>
          <View className="pubc-ack__hint">收到的人要点“已阅并知晓”，您能看到谁还没确认</View>
        </View>
      </Card>
      <Card title={`发给谁（已选 ${orgIds.length} 个单位）`}>
        {orgIds.length ? (
          <View className="pubc-presets pubc-chosen">
            {units
              .filter(({ unit }) => orgIds.includes(unit.id))
              .map(({ unit }) => (
                <View key={unit.id} className="pubc-preset pubc-preset--on" onClick={() => setOrgIds(orgIds.filter((x) => x !== unit.id))} {...a11y()}>
                  {unit.name} ✕
                </View>
              ))}
          </View>
        ) : (
          <View className="pubc-hint">在下面点选单位，选镇就是全镇所有人</View>
        )}
        <View className="pubc-units">
          {units.map(({ unit, trail }) => (
            <View
              key={unit.id}
              className={`pubc-unit ${orgIds.includes(unit.id) ? 'pubc-unit--on' : ''}`}
              style={{ paddingLeft: `${16 + trail.length * 24}px` }}
              onClick={() => setOrgIds(orgIds.includes(unit.id) ? orgIds.filter((x) => x !== unit.id) : [...orgIds, unit.id])}
              {...a11y()}
            >
              {orgIds.includes(unit.id) ? '☑' : '☐'} {unit.name}
              {unit.type === 'town' ? '（全镇）' : ''}
            </View>
          ))}
        </View>
        <View className="pubc-roles">
          <View className="pubc-hint">只发给这些身份（不选 = 所有人）：</View>
          {ROLE_CHOICES.map((r) => (
            <View
              key={r}
              className={`pubc-preset ${roles.includes(r) ? 'pubc-preset--on' : ''}`}
              onClick={() => setRoles(roles.includes(r) ? roles.filter((x) => x !== r) : [...roles, r])}
              {...a11y()}
            >
              {roles.includes(r) ? '✓ ' : ''}
              {ROLE_LABELS[r]}
            </View>
          ))}
        </View>
      </Card>
      <Card title="定时发布（不选 = 立即）">
        <FormRow label="日期">
          <Picker mode="date" value={date} onChange={(e) => setDate(e.detail.value)}>
            <View className="pubc-picker">{date || '选择日期'} ▾</View>
          </Picker>
        </FormRow>
        <FormRow label="时间">
          <Picker mode="time" value={time} onChange={(e) => setTime(e.detail.value)}>
            <View className="pubc-picker">{time} ▾</View>
          </Picker>
        </FormRow>
        {date ? (
          <View className="pubc-op" onClick={() => setDate('')} {...a11y()}>
            改为立即发布
          </View>
        ) : null}
      </Card>
    </PageShell>
  );
}
