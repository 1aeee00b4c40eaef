/** Hazard detail blocks shared by the resident page and the officer page: head, photos, timeline. */
import { Image, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { HazardDetailDto, MediaRef } from '@xiangan/shared';
import { HAZARD_ACTION_LABELS, HAZARD_CATEGORY_LABELS, HAZARD_LEVEL_LABELS, ROLE_LABELS } from '@xiangan/shared';
import { Card, StatusTag } from '../../components';
import { hazardsApi, mediaSrc, shortTime, statusText, statusTone } from '../../services/hazards';
import { toastError } from '../../services/request';
import './view.scss';
import { a11y } from '../../utils/a11y';

/**
 * A photo thumbnail. Officers see a mark on a photo WeChat has not passed (residents never get such photos of
 * others) and, where the page lets them (`onReviewed`), decide it by hand (人工复核): a tap on a marked photo, a long
 * press on any.
 */
function Photo({ p, small, onOpen, onReviewed }: { p: MediaRef; small?: boolean; onOpen: () => void; onReviewed?: () => void }) {
  const sheet = async () => {
    if (!onReviewed) return;
    const items = ['查看大图', '审核通过，村民可以看到', '屏蔽图片，村民看不到'];
    const choice = await Taro.showActionSheet({ itemList: items }).catch(() => null);
    if (!choice) return;
    if (choice.tapIndex === 0) return onOpen();
    try {
      await hazardsApi.reviewPhoto(p.id, choice.tapIndex === 1 ? 'pass' : 'risky');
      Taro.showToast({ title: choice.tapIndex === 1 ? '已通过' : '已屏蔽', icon: 'success' });
      onReviewed();
    } catch (e) {
      toastError(e);
    }
  };
  return (
    // a marked photo opens the choice at a tap; any photo at a long press (hiding one WeChat passed)
    <View
      className={`hv-photo-box ${small ? 'hv-photo--s' : 'hv-photo'}`}
      onClick={p.check && onReviewed ? sheet : onOpen}
      {...a11y({ label: '查看照片' })}
      onLongPress={onReviewed ? sheet : undefined}
    >
      <Image src={mediaSrc(p.thumbUrl)} mode="aspectFill" className={small ? 'hv-photo hv-photo--s' : 'hv-photo'} />
      {p.check ? <Text className={`hv-check ${p.check === 'risky' ? 'hv-check--risky' : ''}`}>{p.check === 'risky' ? '违规图片' : '审核中'}</Text> : null}
    </View>
  );
}

export function HazardHead({ h, officer, onPhotoReviewed }: { h: HazardDetailDto; officer?: boolean; onPhotoReviewed?: () => void }) {
  const preview = (i: number) => Taro.previewImage({ urls: h.photos.map((p) => mediaSrc(p.url)), current: mediaSrc(h.photos[i].url) });
  return (
    <Card
      title={<Text className="hv-code">{h.code}</Text>}
      extra={
        <View className="hv-tags">
          {h.level === 'major' ? <StatusTag text="重大" tone="danger" /> : null}
          {h.overdue ? <StatusTag text="已逾期" tone="warning" /> : null}
          <StatusTag text={statusText(h.status)} tone={statusTone(h.status)} />
        </View>
      }
    >
      <View className="hv-desc">{h.description}</View>
      <View className="hv-row">
        类别：{HAZARD_CATEGORY_LABELS[h.category]}　等级：{HAZARD_LEVEL_LABELS[h.level]}
      </View>
      <View className="hv-row">地点：{[h.orgName, h.address].filter(Boolean).join(' ')}</View>
      <View className="hv-row">
        上报：{shortTime(h.reportedAt, true)}
        {officer ? `　${h.anonymous ? '匿名' : (h.reporterName ?? '')}` : ''}
      </View>
      {h.contactPhone && officer ? (
        <View className="hv-row" onClick={() => Taro.makePhoneCall({ phoneNumber: h.contactPhone! })} {...a11y()}>
          电话：<Text className="hv-link">{h.contactPhone}</Text>
        </View>
      ) : null}
      {h.responsibleOrgName ? <View className="hv-row">责任单位：{h.responsibleOrgName}</View> : null}
      {h.deadline ? <View className={`hv-row ${h.overdue ? 'hv-overdue' : ''}`}>整改期限：{shortTime(h.deadline, true)}</View> : null}
      {h.escalatedTo ? <View className="hv-row">上报县级：{h.escalatedTo}</View> : null}
      {h.photos.length ? (
        <View className="hv-photos">
          {h.photos.map((p, i) => (
            <Photo key={p.id} p={p} onOpen={() => preview(i)} onReviewed={officer ? onPhotoReviewed : undefined} />
          ))}
        </View>
      ) : null}
    </Card>
  );
}

export function Timeline({ h, onPhotoReviewed }: { h: HazardDetailDto; onPhotoReviewed?: () => void }) {
  const items = [...h.timeline].reverse();
  return (
    <Card title="处理过程">
      {items.map((e) => (
        <View key={e.id} className="hv-ev">
          <View className="hv-ev__dot" />
          <View className="hv-ev__body">
            <View className="hv-ev__title">
              {HAZARD_ACTION_LABELS[e.action]}
              {e.toStatus && e.fromStatus !== e.toStatus ? ` → ${statusText(e.toStatus)}` : ''}
            </View>
            <View className="hv-ev__meta">
              {shortTime(e.createdAt, true)} {shortTime(e.createdAt).slice(6)}　{e.actorName ?? '系统'}
              {e.actorRole && e.actorRole !== 'resident' ? `（${ROLE_LABELS[e.actorRole]}）` : ''}
            </View>
            {e.note ? <View className="hv-ev__note">{e.note}</View> : null}
            {e.data && typeof e.data.deadline === 'string' ? (
              <View className="hv-ev__note">
                期限 {shortTime(e.data.deadline, true)}，{String(e.data.responsibleOrgName ?? '')}
              </View>
            ) : null}
            {e.photos.length ? (
              <View className="hv-photos">
                {e.photos.map((p) => (
                  <Photo
                    key={p.id}
                    p={p}
                    small
                    onOpen={() => Taro.previewImage({ urls: e.photos.map((x) => mediaSrc(x.url)), current: mediaSrc(p.url) })}
                    onReviewed={onPhotoReviewed}
                  />
                ))}
              </View>
            ) : null}
          </View>
        </View>
      ))}
    </Card>
  );
}
