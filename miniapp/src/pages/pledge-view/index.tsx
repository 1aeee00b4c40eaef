import { Image, Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { beijingTime } from '@xiangan/shared';
import { Card, Loading, PageShell } from '../../components';
import { pledgesApi, signedImageUrl } from '../../services/pledges';
import { useRemote } from '../../hooks/use-remote';
import '../pledge-sign/index.scss';
import { COLOR } from '../../styles/colors';

/** One signed pledge, as its signer (or an officer in scope) sees it: the text, the fields, the signatures, the hash. */
export default function PledgeView() {
  const id = Number(useRouter().params.id);
  const remote = useRemote(() => pledgesApi.signature(id), [id]);
  const s = remote.data;
  if (!s)
    return (
      <PageShell title="我的承诺书">
        <Loading error={remote.error} onRetry={remote.reload} />
      </PageShell>
    );
  return (
    <PageShell title="我的承诺书" subtitle={`${s.campaignTitle}`}>
      {s.void ? (
        <Card title={<Text id="signed-void">这份签名已作废</Text>}>
          <Text style={{ fontSize: '30rpx', color: COLOR.danger }}>
            {beijingTime(s.void.voidedAt)} 作废：{s.void.reason}
          </Text>
        </Card>
      ) : null}
      <Card title={<Text id="signed-ok">已签署 · {beijingTime(s.signedAt)}</Text>}>
        {s.version.fields.map((f) => (
          <View key={f.key} className="pledge-text__para">
            {f.label}：{s.fields[f.key] ?? '—'}
          </View>
        ))}
      </Card>
      {s.images.map((i) => (
        <Card key={i.role} title={`${i.label}签名`}>
          <Image src={signedImageUrl(i.url)} mode="widthFix" style={{ width: '100%', background: COLOR.card }} />
        </Card>
      ))}
      <View className="pledge-text" style={{ height: 'auto' }}>
        <View className="pledge-text__title">{s.version.title}</View>
        {s.version.body
          .split('\n')
          .filter(Boolean)
          .map((p, k) => (
            <View key={k} className="pledge-text__para">
              {p}
            </View>
          ))}
      </View>
      <View className="xa-meta" style={{ wordBreak: 'break-all', margin: '12px 0' }}>
        防篡改编号：{s.chainHash}
      </View>
    </PageShell>
  );
}
