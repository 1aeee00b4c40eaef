import { Image, Input, Text, Textarea, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import type { HazardCategory } from '@xiangan/shared';
import { HAZARD_CATEGORIES, LIMITS, PHONE_PATTERN } from '@xiangan/shared';
import { useState } from 'react';
import { Card, Field, PageShell, PrimaryButton, Toggle } from '../../components';
import { hazardsApi } from '../../services/hazards';
import { errorText, isApiError, newIdempotencyKey } from '../../services/request';
import { chooseImages, uploadImage } from '../../services/upload';
import { Draft, listDrafts, removeDraft, saveDraft } from '../../utils/drafts';
import { getCurrentLocation } from '../../utils/location';
import './index.scss';
import { a11y } from '../../utils/a11y';

/** What a draft keeps: the form, local photo paths, ids already uploaded, and the one idempotency key. */
interface HazardForm {
  category: HazardCategory | '';
  description: string;
  photos: { path: string; id?: number }[];
  lat?: number;
  lng?: number;
  address: string;
  anonymous: boolean;
  contactPhone: string;
  key: string;
}

const empty = (): HazardForm => ({ category: '', description: '', photos: [], address: '', anonymous: false, contactPhone: '', key: newIdempotencyKey() });

export default function ReportPage() {
  const [form, setForm] = useState<HazardForm>(empty);
  const [draftId, setDraftId] = useState<string | undefined>();
  const [drafts, setDrafts] = useState<Draft<HazardForm>[]>([]);
  const [locating, setLocating] = useState(false);
  const set = (patch: Partial<HazardForm>) => setForm((f) => ({ ...f, ...patch }));

  useDidShow(() => setDrafts(listDrafts<HazardForm>('hazard')));

  const addPhotos = async () => {
    const left = LIMITS.hazardPhotosMax - form.photos.length;
    if (left <= 0) return;
    const paths = await chooseImages(left);
    if (paths.length) set({ photos: [...form.photos, ...paths.map((path) => ({ path }))].slice(0, LIMITS.hazardPhotosMax) });
  };

  const locate = async () => {
    setLocating(true);
    try {
      const p = await getCurrentLocation();
      if (p) set({ lat: p.lat, lng: p.lng });
      else Taro.showToast({ title: '没有取到位置，可以在下面写清楚地点', icon: 'none' });
    } finally {
      setLocating(false);
    }
  };

  const submit = async () => {
    if (!form.category) return Taro.showToast({ title: '请先选择隐患类别', icon: 'none' });
    if (!form.description.trim()) return Taro.showToast({ title: '请说一说是什么问题', icon: 'none' });
    if (form.contactPhone && !PHONE_PATTERN.test(form.contactPhone)) return Taro.showToast({ title: '手机号格式不对', icon: 'none' });
    // keep a draft first: whatever happens to the network, nothing written is lost
    const id = saveDraft('hazard', form, draftId);
    setDraftId(id);
    try {
      const photos = [...form.photos];
      for (let i = 0; i < photos.length; i++) {
        if (photos[i].id) continue;
        Taro.showLoading({ title: `上传照片 ${i + 1}/${photos.length}` });
        const m = await uploadImage(photos[i].path);
        photos[i] = { ...photos[i], id: Number(m.id) };
        saveDraft('hazard', { ...form, photos }, id);
      }
      Taro.showLoading({ title: '正在提交' });
      const res = await hazardsApi.create(
        {
          category: form.category,
          description: form.description.trim(),
          photoIds: photos.map((p) => p.id!),
          ...(form.lat !== undefined ? { lat: form.lat, lng: form.lng } : {}),
          address: form.address.trim() || undefined,
          anonymous: form.anonymous,
          contactPhone: form.contactPhone || undefined,
        },
        form.key,
      );
      Taro.hideLoading();
      removeDraft('hazard', id);
      setDraftId(undefined);
      setForm(empty());
      await Taro.showModal({ title: '上报成功', content: `编号 ${res.code}\n工作人员会尽快处理，您可以在“我的上报”查看进度。`, showCancel: false, confirmText: '查看进度' });
      Taro.redirectTo({ url: `/pages/hazard/index?id=${res.id}` });
    } catch (err) {
      Taro.hideLoading();
      const offline = isApiError(err) && (err.isNetwork || err.statusCode >= 500);
      setDrafts(listDrafts<HazardForm>('hazard'));
      Taro.showModal({
        title: offline ? '网络不好，已存为草稿' : '没有提交成功',
        content: offline ? '有信号时在本页下方“草稿”里点“重新提交”。' : errorText(err),
        showCancel: false,
      });
    }
  };

  const openDraft = (d: Draft<HazardForm>) => {
    setForm(d.data);
    setDraftId(d.id);
    Taro.pageScrollTo({ scrollTop: 0, duration: 200 });
  };

  return (
    <PageShell title='隐患随手拍' footer={<PrimaryButton onClick={submit}>提交上报</PrimaryButton>}>
      <Field label='1. 是什么隐患？' required>
        <View className='rp-grid'>
          {HAZARD_CATEGORIES.map((c) => (
            <View key={c.code} className={`rp-cat ${form.category === c.code ? 'rp-cat--on' : ''}`} onClick={() => set({ category: c.code })} {...a11y({ role: 'radio', checked: form.category === c.code })}>
              <Text className='rp-cat__icon'>{c.icon}</Text>
              <Text className='rp-cat__label'>{c.label}</Text>
            </View>
          ))}
        </View>
      </Field>
      <Field label='2. 说一说情况' required hint='可以用键盘上的话筒说话输入'>
        <Textarea
          className='xa-textarea'
          value={form.description}
          maxlength={LIMITS.hazardDescriptionMax}
          placeholder='例如：村头堰塘没有护栏，常有小孩在边上玩'
          onInput={(e) => set({ description: e.detail.value })}
        />
      </Field>
      <Field label={`3. 拍照（最多${LIMITS.hazardPhotosMax}张）`}>
        <View className='rp-photos'>
          {form.photos.map((p, i) => (
            <View key={p.path} className='rp-photo'>
              <Image src={p.path} mode='aspectFill' className='rp-photo__img' />
              <View className='rp-photo__del' onClick={() => set({ photos: form.photos.filter((_, j) => j !== i) })} {...a11y({ label: `删除第 ${i + 1} 张照片` })}>
                ×
              </View>
            </View>
          ))}
          {form.photos.length < LIMITS.hazardPhotosMax ? (
            <View className='rp-photo rp-photo--add' onClick={addPhotos} {...a11y({ label: '添加照片' })}>
              <Text className='rp-photo__plus'>＋</Text>
              <Text>拍照/相册</Text>
            </View>
          ) : null}
        </View>
      </Field>
      <Field label='4. 在哪里' hint={form.lat !== undefined ? `已定位：${form.lat.toFixed(5)}, ${form.lng!.toFixed(5)}` : '定位后工作人员能更快找到'}>
        <Input className='xa-input' value={form.address} placeholder='例如：柳林村3组河边' onInput={(e) => set({ address: e.detail.value })} />
        <PrimaryButton type='secondary' size='small' onClick={locate} loading={locating}>
          {form.lat !== undefined ? '重新定位' : '获取我的位置'}
        </PrimaryButton>
      </Field>
      <Field label='联系电话（选填）' hint='只有工作人员能看到完整号码'>
        <Input className='xa-input' type='number' maxlength={11} value={form.contactPhone} placeholder='方便工作人员回访' onInput={(e) => set({ contactPhone: e.detail.value })} />
      </Field>
      <Toggle className='rp-switch' checked={form.anonymous} onChange={(v) => set({ anonymous: v })}>
        匿名上报（工作人员也看不到您的名字）
      </Toggle>
      {drafts.length ? (
        <Card title={`草稿（${drafts.length}）`}>
          {drafts.map((d) => (
            <View key={d.id} className='rp-draft'>
              <View className='rp-draft__text' onClick={() => openDraft(d)} {...a11y()}>
                {HAZARD_CATEGORIES.find((c) => c.code === d.data.category)?.label ?? '未选类别'}：{d.data.description.slice(0, 14) || '（未填写）'}
              </View>
              <PrimaryButton size='small' block={false} onClick={async () => openDraft(d)}>
                重新提交
              </PrimaryButton>
              <Text className='rp-draft__del' onClick={() => (removeDraft('hazard', d.id), setDrafts(listDrafts<HazardForm>('hazard')))} {...a11y({ label: '删除这份草稿' })}>
                删除
              </Text>
            </View>
          ))}
        </Card>
      ) : null}
    </PageShell>
  );
}
