import { Input, ScrollView, Text, View } from '@tarojs/components';
import Taro, { useRouter, useShareAppMessage } from '@tarojs/taro';
import { beijingDate, PLEDGE_RELATIONS, type PledgeCampaignDetailDto, type PledgeFieldSpec, type PledgeRosterPickDto } from '@xiangan/shared';
import { createRef, useEffect, useMemo, useRef, useState } from 'react';
import { Card, Empty, Field, Loading, PageShell, PrimaryButton } from '../../components';
import { pledgesApi } from '../../services/pledges';
import { errorText, newIdempotencyKey, toastError } from '../../services/request';
import { askSubscribe, useSubscribeTemplates } from '../../services/subscribe';
import { pledgeShareCard } from '../../services/share';
import SignaturePad, { type SignaturePadHandle } from '../../platform/SignaturePad';
import './index.scss';
import { a11y } from '../../utils/a11y';
import { regionProps, wechatIdentity } from '../../platform/system';

/** `?c=12` from a share card / h5 QR, or `scene=c%3D12` from a mini-program code. */
function campaignIdFrom(params: Record<string, string | undefined>): number {
  if (params.c) return Number(params.c);
  const scene = decodeURIComponent(params.scene ?? '');
  const m = /c=(\d+)/.exec(scene);
  return m ? Number(m[1]) : 0;
}

const fmt = (iso: string) => beijingDate(iso);

export default function PledgeSign() {
  const router = useRouter();
  const id = campaignIdFrom(router.params as Record<string, string | undefined>);
  const [c, setC] = useState<PledgeCampaignDetailDto | null>(null);
  const [loadError, setLoadError] = useState('');
  const [read, setRead] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [q, setQ] = useState('');
  const [picks, setPicks] = useState<PledgeRosterPickDto[] | null>(null);
  const [picked, setPicked] = useState<PledgeRosterPickDto | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [empties, setEmpties] = useState<Record<string, boolean>>({});
  /** h5: the signer's phone when the text has no phone field (it must be the roster's guardian phone). */
  const [signerPhone, setSignerPhone] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const key = useRef(newIdempotencyKey());
  useSubscribeTemplates();
  // a parent passing the card on: the designed image, never a screenshot (names typed or picked from the roster)
  useShareAppMessage(() => pledgeShareCard(id, c?.title));

  useEffect(() => {
    if (!id) return setLoadError('二维码或链接不完整，请重新扫码');
    pledgesApi.campaign(id).then(setC, (e) => setLoadError(errorText(e)));
  }, [id]);

  const pads = useMemo(() => Object.fromEntries((c?.version.signers ?? []).map((s) => [s.role, createRef<SignaturePadHandle>()])), [c]);
  const rosterFields = c?.rosterKind === 'student' ? ['studentName', 'className'] : c?.rosterKind === 'enterprise' ? ['unitName'] : [];
  // in WeChat the phone comes verified from getPhoneNumber: no phone field to type
  const visibleFields = (c?.version.fields ?? []).filter((f) => !(picked && rosterFields.includes(f.key)) && !(wechatIdentity && f.key === 'phone'));
  const hasPhoneField = (c?.version.fields ?? []).some((f) => f.key === 'phone');
  const paragraphs = useMemo(() => (c?.version.body ?? '').split('\n').filter(Boolean), [c]);

  if (loadError)
    return (
      <PageShell title="签署承诺书">
        <Empty text={loadError} />
      </PageShell>
    );
  if (!c)
    return (
      <PageShell title="签署承诺书">
        <Loading />
      </PageShell>
    );

  const closed = c.status !== 'open';
  const set = (k: string, v: string) => {
    setFields((f) => ({ ...f, [k]: v }));
    setErrors((e) => ({ ...e, [k]: '' }));
  };

  const search = async () => {
    if (q.trim().length < 2) return Taro.showToast({ title: '请输入完整姓名', icon: 'none' });
    try {
      const r = await pledgesApi.rosterPick(c.id, q.trim());
      setPicks(r);
      if (r.length === 1) setPicked(r[0]);
    } catch (e) {
      toastError(e);
    }
  };

  const validate = (): boolean => {
    const errs: Record<string, string> = {};
    for (const f of visibleFields) {
      const v = (fields[f.key] ?? '').trim();
      if (f.required && !v) errs[f.key] = `请填写${f.label}`;
      else if (v && f.type === 'phone' && !/^1[3-9]\d{9}$/.test(v.replace(/[\s-]/g, ''))) errs[f.key] = '请填写 11 位手机号';
    }
    if (!wechatIdentity && !hasPhoneField && !/^1[3-9]\d{9}$/.test(signerPhone.replace(/[\s-]/g, ''))) errs.signerPhone = '请填写名单中登记的 11 位手机号';
    setErrors(errs);
    if (c.rosterKind && !picked) {
      Taro.showToast({ title: '请先在名单中找到并选择学生', icon: 'none' });
      return false;
    }
    const blank = c.version.signers.find((s) => pads[s.role].current?.isEmpty());
    if (blank) {
      Taro.showToast({ title: `请${blank.label}签名`, icon: 'none' });
      return false;
    }
    return Object.keys(errs).length === 0;
  };

  /** weapp: `phoneCode` from the getPhoneNumber button (verified by WeChat); h5: the typed phone. */
  const submit = async (phoneCode?: string) => {
    if (submitting || !validate()) return;
    // before any await (WeChat asks only inside the tap): reminders of the next pledge, and the village's notices.
    // weapp asks in the getPhoneNumber button's own tap instead (its callback comes after WeChat's dialog, outside it).
    if (!phoneCode) askSubscribe(['pledge', 'publicity']);
    setSubmitting(true);
    try {
      const signatures = await Promise.all(c.version.signers.map(async (s) => ({ role: s.role, image: await pads[s.role].current!.toDataUrl() })));
      const body = {
        ...(picked ? { rosterId: picked.id } : {}),
        ...(phoneCode ? { phoneCode } : !hasPhoneField ? { phone: signerPhone.replace(/[\s-]/g, '') } : {}),
        fields: Object.fromEntries(visibleFields.map((f) => [f.key, (fields[f.key] ?? '').trim()]).filter(([, v]) => v)),
        signatures,
      };
      const res = await pledgesApi.sign(c.id, body, key.current);
      Taro.showToast({ title: '签署成功', icon: 'success' });
      Taro.redirectTo({ url: `/pages/pledge-view/index?id=${res.id}` });
    } catch (e) {
      key.current = newIdempotencyKey();
      Taro.showModal({ title: '没有提交成功', content: errorText(e) || '请稍后再试', showCancel: false });
    } finally {
      setSubmitting(false);
    }
  };
  const onPhone = (e: { detail: { code?: string; errMsg?: string } }) => {
    if (!e.detail.code) {
      Taro.showModal({ title: '需要验证手机号', content: '为防止他人代签，请允许使用您的微信手机号（须是名单中登记的监护人手机号）。', showCancel: false });
      return;
    }
    void submit(e.detail.code);
  };

  const input = (f: PledgeFieldSpec) =>
    f.type === 'relation' ? (
      <View className="pledge-relations">
        {PLEDGE_RELATIONS.map((r) => (
          <View
            key={r}
            className={`pledge-chip ${fields[f.key] === r ? 'pledge-chip--on' : ''}`}
            onClick={() => set(f.key, r)}
            {...a11y({ role: 'radio', checked: fields[f.key] === r })}
          >
            {r}
          </View>
        ))}
      </View>
    ) : (
      <Input
        className="xa-input"
        id={`field-${f.key}`}
        type={f.type === 'phone' ? 'number' : 'text'}
        maxlength={f.type === 'phone' ? 11 : 30}
        value={fields[f.key] ?? ''}
        placeholder={`请输入${f.label}`}
        onInput={(e) => set(f.key, e.detail.value)}
      />
    );

  return (
    <PageShell title={c.kindLabel} subtitle={`${c.orgName} · 截止 ${fmt(c.deadline)}`}>
      {c.mySignatureId ? (
        <Card title="您已签署过本承诺书">
          <PrimaryButton type="secondary" onClick={() => Taro.navigateTo({ url: `/pages/pledge-view/index?id=${c.mySignatureId}` })}>
            查看我签的承诺书
          </PrimaryButton>
        </Card>
      ) : null}
      <ScrollView scrollY className="pledge-text" id="pledge-text" lowerThreshold={60} onScrollToLower={() => setRead(true)} {...regionProps('承诺书全文')}>
        <View className="pledge-text__title">{c.version.title}</View>
        {paragraphs.map((p, i) => (
          <View key={i} className="pledge-text__para">
            {p}
          </View>
        ))}
        <View className="pledge-text__end" id="pledge-end">
          — 全文完 —
        </View>
      </ScrollView>
      {closed ? (
        <View className="pledge-tip">{c.status === 'expired' ? `已于 ${fmt(c.deadline)} 截止签署` : '本承诺书已关闭'}</View>
      ) : !read ? (
        <View className="pledge-tip">请把上面的承诺书从头读到尾（向上滑动到“全文完”），读完后才能填写和签名。</View>
      ) : (
        <View id="pledge-form">
          <View className="pledge-done">✓ 已阅读全文</View>
          {c.rosterKind ? (
            <Field label={c.rosterKind === 'student' ? '在名单中找到学生' : '在名单中找到单位'} required hint="输入完整姓名后点“查找”">
              <Input
                className="xa-input"
                id="roster-q"
                value={q}
                placeholder={c.rosterKind === 'student' ? '学生姓名' : '单位名称'}
                onInput={(e) => setQ(e.detail.value)}
                onConfirm={search}
              />
              <PrimaryButton type="secondary" id="roster-search" onClick={search}>
                查找
              </PrimaryButton>
              {picks?.length === 0 ? <View className="pledge-tip">名单中没有找到，请核对姓名，或联系班主任。</View> : null}
              {picks?.map((p) => (
                <View key={p.id} className={`pledge-pick__item ${picked?.id === p.id ? 'pledge-pick__item--on' : ''}`} onClick={() => setPicked(p)} {...a11y()}>
                  {p.name}
                  {p.group ? ` · ${p.group}` : ''}
                  {p.guardianName ? ` · 监护人 ${p.guardianName}` : ''}
                </View>
              ))}
            </Field>
          ) : null}
          {visibleFields.map((f) => (
            <Field key={f.key} label={f.label} required={f.required} error={errors[f.key]}>
              {input(f)}
            </Field>
          ))}
          <View className="pledge-tip">手机横过来签名更方便。每位签字人在自己的签名板上签名。</View>
          {c.version.signers.map((s) => (
            <View key={s.role}>
              <SignaturePad id={`pad-${s.role}`} label={s.label} ref={pads[s.role]} onChange={(e) => setEmpties((m) => ({ ...m, [s.role]: e }))} />
              <View className="pledge-pad__tools">
                <PrimaryButton type="plain" size="small" block={false} onClick={() => pads[s.role].current?.clear()}>
                  清除重签
                </PrimaryButton>
                <Text className="xa-meta" style={{ alignSelf: 'center' }}>
                  {empties[s.role] === false ? '已签名' : '未签名'}
                </Text>
              </View>
            </View>
          ))}
          {!wechatIdentity && !hasPhoneField ? (
            <Field label="监护人（负责人）手机号" required hint="须是名单中登记的手机号" error={errors.signerPhone}>
              <Input
                className="xa-input"
                id="signer-phone"
                type="number"
                maxlength={11}
                value={signerPhone}
                placeholder="请输入手机号"
                onInput={(e) => setSignerPhone(e.detail.value)}
              />
            </Field>
          ) : null}
          {wechatIdentity ? (
            <>
              <View className="pledge-tip">提交时会请您授权微信手机号，须与名单中登记的监护人手机号一致。</View>
              <PrimaryButton
                id="pledge-submit"
                openType="getPhoneNumber"
                loading={submitting}
                onClick={() => void askSubscribe(['pledge', 'publicity'])}
                onGetPhoneNumber={onPhone}
              >
                验证手机号并提交签名
              </PrimaryButton>
            </>
          ) : (
            <PrimaryButton id="pledge-submit" onClick={() => submit()}>
              确认并提交签名
            </PrimaryButton>
          )}
        </View>
      )}
    </PageShell>
  );
}
