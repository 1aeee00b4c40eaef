/**
 * BigTile — a large tappable entry on a home screen. Wrap several in <View className='xa-tiles'>.
 * Props: title: string, desc?: string, icon?: string (one character shown in a coloured disc, e.g. '拍'),
 *        color?: string (disc colour, default primary),
 *        size?: 'hero' (2 per row, extra large) | 'large' (2 per row) | 'small' (full-width row),
 *        url?: string (Taro.navigateTo target), onClick?: () => void, badge?: number | string (red count).
 */
import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { a11y } from '../utils/a11y';
import './styles.scss';
import { COLOR } from '../styles/colors';

export interface BigTileProps {
  title: string;
  desc?: string;
  icon?: string;
  color?: string;
  size?: 'hero' | 'large' | 'small';
  url?: string;
  onClick?: () => void;
  badge?: number | string;
}

export default function BigTile({ title, desc, icon, color = COLOR.primary, size = 'large', url, onClick, badge }: BigTileProps) {
  const tap = () => {
    if (onClick) return onClick();
    if (url) Taro.navigateTo({ url }).catch(() => Taro.showToast({ title: '页面打不开，请稍后再试', icon: 'none' }));
  };
  const showBadge = badge !== undefined && badge !== 0 && badge !== '';
  return (
    <View className={`xa-tile xa-tile--${size === 'hero' ? 'large xa-tile--hero' : size}`} onClick={tap} hoverClass="none" {...a11y({ role: 'link' })}>
      <View className="xa-tile__icon" style={{ background: color }} aria-hidden="true">
        {icon ?? title.slice(0, 1)}
      </View>
      <View className="xa-tile__text">
        <View className="xa-tile__title">{title}</View>
        {desc ? <View className="xa-tile__desc">{desc}</View> : null}
      </View>
      {showBadge ? <View className="xa-tile__badge">{badge}</View> : null}
      {size === 'small' && !showBadge ? <Text className="xa-tile__arrow">›</Text> : null}
    </View>
  );
}
