import { Image, Picker, View } from '@tarojs/components';
import Taro, { useShareAppMessage } from '@tarojs/taro';
import {
  beijingTime,
  INVITATION_STATUS_LABELS,
  type InvitationDto,
  ORG_TYPE_LABELS,
  type OrgUnitDto,
  type Role,
  ROLE_LABELS,
  ROLE_RANK,
  ROLE_UNIT_TYPES,
  ROLES,
} from '@xiangan/shared';
import { useMemo, useState } from 'react';
import { Card, Field, Loading, PageShell, PrimaryButton } from '../../components';
import { adminApi } from '../../services/admin';
import { fetchBinary } from '../../services/pledges';
import { useRemote } from '../../hooks/use-remote';
import { errorText, toastError } from '../../services/request';
import { useSession } from '../../store/session';
import '../admin.scss';
import { AdminTable } from '../AdminTable';
import { canShareCard } from '../../platform/system';

const USES = [1, 5, 20, 100];
const DAYS = [1, 3, 7, 30];

function flatten(tree: OrgUnitDto[], depth = 0, out: { o: OrgUnitDto; depth: number }[] = []) {
  for (const o of tree) {
    out.push({ o, depth });
    flatten(o.children ?? [], depth + 1, out);
  }
  return out;
}

/** 邀请干部: choose a role and a unit, then share the card (weapp) or show the QR; the list shows who used each. */
export default function Invitations() {
  const { me } = useSession();
  const remote = useRemote(
    async () => {
      const [tree, page] = await Promise.all([adminApi.orgTree(), adminApi.invitations()]);
      return { units: flatten(tree), list: page.items };
    },
    [],
    { onShow: true },
  );
  const units = useMemo(() => remote.data?.units ?? [], [remote.data]);
  const list = remote.data?.list ?? null;
  const [role, setRole] = useState<Role>('village_officer');
  const [unitIdx, setUnitIdx] = useState(-1);
  const [usesIdx, setUsesIdx] = useState(0);
  const [daysIdx, setDaysIdx] = useState(1);
  const [current, setCurrent] = useState<InvitationDto | null>(null);
  const [qr, setQr] = useState('');

  const roles = useMemo(
    () => ROLES.filter((r) => r !== 'resident' && (me?.role === 'admin' || (me && ROLE_RANK[r] <= ROLE_RANK[me.role] && r !== 'admin'))),
    [me],
  );
  const fitting = useMemo(() => units.filter((u) => ROLE_UNIT_TYPES[role].includes(u.o.type)), [units, role]);

  const load = remote.reload;

  useShareAppMessage(() => ({
    title: current ? `邀请您担任${current.orgName ?? ''}${current.roleLabel}` : '乡安干部邀请',
    path: current ? `/${current.pagePath}` : '/pages/index/index',
  }));

  const create = async () => {
    const unit = fitting[unitIdx]?.o;
    if (role !== 'admin' && !unit) {
      Taro.showToast({ title: '请选择单位', icon: 'none' });
      return;
    }
    try {
      const inv = await adminApi.createInvitation({ role, orgId: unit?.id, maxUses: USES[usesIdx], hours: DAYS[daysIdx] * 24 });
      setCurrent(inv);
      setQr(await fetchBinary(`/invitations/${inv.id}/qrcode`).catch(() => ''));
      await load();
    } catch (e) {
      Taro.showModal({ title: '没有生成邀请', content: errorText(e), showCancel: false });
    }
  };
  const show = async (inv: InvitationDto) => {
    try {
      setCurrent(await adminApi.invitation(inv.id));
      setQr(await fetchBinary(`/invitations/${inv.id}/qrcode`).catch(() => ''));
    } catch (e) {
      toastError(e);
    }
  };
  const revoke = async (inv: InvitationDto) => {
    const ok = await Taro.showModal({
      title: '撤销邀请',
      content: `撤销后此邀请不能再使用。确定撤销「${inv.orgName ?? ''}${inv.roleLabel}」的邀请吗？`,
      confirmText: '撤销',
      cancelText: '取消',
    });
    if (!ok.confirm) return;
    try {
      await adminApi.revokeInvitation(inv.id);
      if (current?.id === inv.id) setCurrent(null);
      await load();
    } catch (e) {
      toastError(e);
    }
  };

  return (
    <PageShell title="邀请干部">
      <View className="adm__wide">
        <Card title="新邀请">
          <Field label="角色" required>
            <Picker
              mode="selector"
              range={roles.map((r) => ROLE_LABELS[r])}
              value={Math.max(0, roles.indexOf(role))}
              onChange={(e) => {
                setRole(roles[Number(e.detail.value)]);
                setUnitIdx(-1);
              }}
            >
              <View className="xa-input">{ROLE_LABELS[role]}</View>
            </Picker>
          </Field>
          {role !== 'admin' ? (
            <Field label="单位" required hint={`${ROLE_LABELS[role]}属于：${ROLE_UNIT_TYPES[role].map((t) => ORG_TYPE_LABELS[t]).join('、')}`}>
              <Picker
                mode="selector"
                range={fitting.map((u) => `${'　'.repeat(u.depth)}${u.o.name}`)}
                value={Math.max(0, unitIdx)}
                onChange={(e) => setUnitIdx(Number(e.detail.value))}
              >
                <View className="xa-input">{fitting[unitIdx]?.o.name ?? '点此选择单位'}</View>
              </Picker>
            </Field>
          ) : null}
          <Field label="可使用人数">
            <Picker
              mode="selector"
              range={USES.map((n) => (n === 1 ? '仅 1 人' : `${n} 人`))}
              value={usesIdx}
              onChange={(e) => setUsesIdx(Number(e.detail.value))}
            >
              <View className="xa-input">{USES[usesIdx] === 1 ? '仅 1 人' : `${USES[usesIdx]} 人`}</View>
            </Picker>
          </Field>
          <Field label="有效期">
            <Picker mode="selector" range={DAYS.map((d) => `${d} 天`)} value={daysIdx} onChange={(e) => setDaysIdx(Number(e.detail.value))}>
              <View className="xa-input">{DAYS[daysIdx]} 天</View>
            </Picker>
          </Field>
          <PrimaryButton onClick={create}>生成邀请</PrimaryButton>
        </Card>

        {current ? (
          <Card title={`邀请：${current.orgName ?? '全县'} ${current.roleLabel}`}>
            <View className="adm__muted">
              {INVITATION_STATUS_LABELS[current.status]} · 已用 {current.usedCount}/{current.maxUses} · 有效至 {beijingTime(current.expiresAt)}
            </View>
            {qr ? <Image className="adm__qr" src={qr} mode="aspectFit" /> : null}
            {canShareCard ? <PrimaryButton openType="share">转发邀请卡片</PrimaryButton> : <View className="adm__cell-value">邀请链接：{current.link}</View>}
            <PrimaryButton type="plain" onClick={() => Taro.setClipboardData({ data: current.link })}>
              复制邀请链接
            </PrimaryButton>
            {current.uses?.length ? (
              <View>
                <View className="adm__main">已使用</View>
                {current.uses.map((u) => (
                  <View key={u.userId} className="adm__muted">
                    {u.name || `用户 ${u.userId}`} · {beijingTime(u.usedAt)}
                  </View>
                ))}
              </View>
            ) : null}
          </Card>
        ) : null}

        <Card title="已发出的邀请">
          {!list ? (
            <Loading error={remote.error} onRetry={remote.reload} />
          ) : !list.length ? (
            <View className="adm__muted">还没有邀请</View>
          ) : (
            <AdminTable
              rows={list}
              rowKey={(inv) => inv.id}
              columns={[
                { title: '角色', main: true, cell: (inv) => inv.roleLabel },
                { title: '单位', cell: (inv) => inv.orgName ?? '全县' },
                { title: '状态', cell: (inv) => INVITATION_STATUS_LABELS[inv.status] },
                { title: '已用', cell: (inv) => `${inv.usedCount}/${inv.maxUses}` },
                { title: '有效至', cell: (inv) => beijingTime(inv.expiresAt) },
              ]}
              actions={(inv) => (
                <>
                  <View className="adm__link" onClick={() => show(inv)}>
                    查看
                  </View>
                  {inv.status === 'active' ? (
                    <View className="adm__link adm__danger" onClick={() => revoke(inv)}>
                      撤销
                    </View>
                  ) : null}
                </>
              )}
            />
          )}
        </Card>
      </View>
    </PageShell>
  );
}
