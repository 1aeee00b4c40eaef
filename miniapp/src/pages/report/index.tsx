import { Image, Input, Text, Textarea, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import type { HazardCategory } from '@xiangan/shared';
import { HAZARD_CATEGORIES, LIMITS, PHONE_PATTERN } from '@xiangan/shared';
import { useEffect, useState } from 'react';
import { Card, Field, LocationPicker, PageShell, PrimaryButton, Toggle } from '../../components';
import { errorText, isApiError, newIdempotencyKey, type ApiError } from '../../services/request';
import { askSubscribe, useSubscribeTemplates } from '../../services/subscribe';
import { chooseImages } from '../../services/upload';
import type { Draft } from '../../utils/drafts';
import {
  deleteHazardDraft,
  type DraftPhoto,
  type HazardDraftData,
  listHazardDrafts,
  onDraftsChanged,
  PhotoMissingError,
  PhotoStorageError,
  saveHazardDraft,
  sendHazardDraft,
  showablePhotos,
} from '../../utils/hazard-drafts';
import './index.scss';
import { a11y } from '../../utils/a11y';

/** What a draft keeps: the form, photos (kept durably by utils/hazard-drafts.ts), and the one idempotency key. */
interface HazardForm extends HazardDraftData {
  category: HazardCategory | '';
  description: string;
  photos: DraftPhoto[];
  lat?: number;
  lng?: number;
  address: string;
  /** The village chosen (or set from the position); undefined = the reporter's own. */
  orgId?: number;
  anonymous: boolean;
  contactPhone: string;
  key: string;
}

const empty = (): HazardForm => ({ category: '', description: '', photos: [], address: '', anonymous: false, contactPhone: '', key: newIdempotencyKey() });

export default function ReportPage() {
  const [form, setForm] = useState<HazardForm>(empty);
  const [draftId, setDraftId] = useState<string | undefined>();
  const [drafts, setDrafts] = useState<Draft<HazardForm>[]>([]);
  const set = (patch: Partial<HazardForm>) => setForm((f) => ({ ...f, ...patch }));

  const refreshDrafts = () => setDrafts(listHazardDrafts<HazardForm>());
  useDidShow(refreshDrafts);
  useEffect(() => onDraftsChanged(refreshDrafts), []); // a draft sent in the background leaves the list
  useSubscribeTemplates();

  const addPhotos = async () => {
    const left = LIMITS.hazardPhotosMax - form.photos.length;
    if (left <= 0) return;
    const paths = await chooseImages(left);
    if (paths.length) set({ photos: [...form.photos, ...paths.map((path) => ({ path }))].slice(0, LIMITS.hazardPhotosMax) });
  };

  const submit = async () => {
    if (!form.category) return Taro.showToast({ title: '请先选择隐患类别', icon: 'none' });
    if (!form.description.trim()) return Taro.showToast({ title: '请说一说是什么问题', icon: 'none' });
    if (form.contactPhone && !PHONE_PATTERN.test(form.contactPhone)) return Taro.showToast({ title: '手机号格式不对', icon: 'none' });
    askSubscribe(['hazardUpdate']); // before any await: WeChat asks only inside the tap (progress of this report)
    const request = {
      category: form.category,
      description: form.description.trim(),
      ...(form.lat !== undefined ? { lat: form.lat, lng: form.lng } : {}),
      address: form.address.trim() || undefined,
      orgId: form.orgId,
      anonymous: form.anonymous,
      contactPhone: form.contactPhone || undefined,
    };
    // keep a draft first (photos kept durably): whatever happens to the network, nothing written is lost
    let id: string;
    try {
      const saved = await saveHazardDraft({ ...form, request }, draftId);
      id = saved.id;
      setDraftId(id);
      setForm(saved.data);
    } catch (err) {
      return failed(err);
    }
    return send(id);
  };

  /** Sends a saved draft (also 重新提交); the draft goes away only when the server has the report. */
  const send = async (id: string) => {
    try {
      const res = await sendHazardDraft(id, (title) => Taro.showLoading({ title }));
      Taro.hideLoading();
      setDraftId(undefined);
      setForm(empty());
      await Taro.showModal({
        title: '上报成功',
        content: `编号 ${res.code}\n工作人员会尽快处理，您可以在“我的上报”查看进度。`,
        showCancel: false,
        confirmText: '查看进度',
      });
      Taro.redirectTo({ url: `/pages/hazard/index?id=${res.id}` });
    } catch (err) {
      failed(err);
    }
  };

  const failed = (err: unknown) => {
    Taro.hideLoading();
    refreshDrafts();
    if (err instanceof PhotoMissingError || err instanceof PhotoStorageError) {
      return Taro.showModal({ title: err instanceof PhotoMissingError ? '照片找不到了' : '照片存不下', content: err.message, showCancel: false });
    }
    const offline = isApiError(err) && ((err as ApiError).isNetwork || (err as ApiError).statusCode >= 500);
    Taro.showModal({
      title: offline ? '网络不好，已存为草稿' : '没有提交成功',
      content: offline ? '有信号时会自动提交；也可以在本页下方“草稿”里点“重新提交”。' : errorText(err),
      showCancel: false,
    });
  };

  const openDraft = async (d: Draft<HazardForm>) => {
    setForm({ ...d.data, photos: await showablePhotos(d.data.photos) });
    setDraftId(d.id);
    Taro.pageScrollTo({ scrollTop: 0, duration: 200 });
  };

  return (
    <PageShell title="隐患随手拍" footer={<PrimaryButton onClick={submit}>提交上报</PrimaryButton>}>
      <Field label="1. 是什么隐患？" required>
        <View className="rp-grid">
          {HAZARD_CATEGORIES.map((c) => (
            <View
              key={c.code}
              className={`rp-cat ${form.category === c.code ? 'rp-cat--on' : ''}`}
              onClick={() => set({ category: c.code })}
              {...a11y({ role: 'radio', checked: form.category === c.code })}
            >
              <Text className="rp-cat__icon">{c.icon}</Text>
              <Text className="rp-cat__label">{c.label}</Text>
            </View>
          ))}
        </View>
      </Field>
      <Field label="2. 说一说情况" required hint="可以用键盘上的话筒说话输入">
        <Textarea
          className="xa-textarea"
          value={form.description}
          maxlength={LIMITS.hazardDescriptionMax}
          placeholder="例如：村头堰塘没有护栏，常有小孩在边上玩"
          onInput={(e) => set({ description: e.detail.value })}
        />
      </Field>
      <Field label={`3. 拍照（最多${LIMITS.hazardPhotosMax}张）`}>
        <View className="rp-photos">
          {form.photos.map((p, i) => (
            <View key={p.path} className="rp-photo">
              <Image src={p.path} mode="aspectFill" className="rp-photo__img" />
              <View
                className="rp-photo__del"
                onClick={() => set({ photos: form.photos.filter((_, j) => j !== i) })}
                {...a11y({ label: `删除第 ${i + 1} 张照片` })}
              >
                ×
              </View>
            </View>
          ))}
          {form.photos.length < LIMITS.hazardPhotosMax ? (
            <View className="rp-photo rp-photo--add" onClick={addPhotos} {...a11y({ label: '添加照片' })}>
              <Text className="rp-photo__plus">＋</Text>
              <Text>拍照/相册</Text>
            </View>
          ) : null}
        </View>
      </Field>
      <LocationPicker value={form} onChange={set} />
      <Field label="联系电话（选填）" hint="只有工作人员能看到完整号码">
        <Input
          className="xa-input"
          type="number"
          maxlength={11}
          value={form.contactPhone}
          placeholder="方便工作人员回访"
          onInput={(e) => set({ contactPhone: e.detail.value })}
        />
      </Field>
      <Toggle className="rp-switch" checked={form.anonymous} onChange={(v) => set({ anonymous: v })}>
        匿名上报（工作人员也看不到您的名字）
      </Toggle>
      {drafts.length ? (
        <Card title={`草稿（${drafts.length}）`}>
          {drafts.map((d) => (
            <View key={d.id} className="rp-draft">
              <View className="rp-draft__text" onClick={() => openDraft(d)} {...a11y()}>
                {HAZARD_CATEGORIES.find((c) => c.code === d.data.category)?.label ?? '未选类别'}：{d.data.description.slice(0, 14) || '（未填写）'}
                {d.data.problem ? <View className="rp-draft__problem">{d.data.problem}</View> : null}
              </View>
              <PrimaryButton size="small" block={false} onClick={async () => (await openDraft(d), await send(d.id))}>
                重新提交
              </PrimaryButton>
              <Text className="rp-draft__del" onClick={() => void deleteHazardDraft(d.id).then(refreshDrafts)} {...a11y({ label: '删除这份草稿' })}>
                删除
              </Text>
            </View>
          ))}
        </Card>
      ) : null}
    </PageShell>
  );
}
