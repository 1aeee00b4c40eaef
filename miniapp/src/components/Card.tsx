/**
 * Card — a white rounded block.
 * Props: title?: ReactNode, extra?: ReactNode (right side of the head, e.g. a StatusTag),
 *        onClick?: () => void (adds a pressed state), className?: string, children.
 */
import { View } from '@tarojs/components';
import type { ReactNode } from 'react';
import { a11y } from '../utils/a11y';
import './styles.scss';

export interface CardProps {
  title?: ReactNode;
  extra?: ReactNode;
  onClick?: () => void;
  className?: string;
  children?: ReactNode;
}

export default function Card({ title, extra, onClick, className, children }: CardProps) {
  return (
    <View className={`xa-card ${onClick ? 'xa-card--tap' : ''} ${className ?? ''}`} onClick={onClick} {...(onClick ? a11y({ role: 'button' }) : {})}>
      {title || extra ? (
        <View className="xa-card__head">
          <View className="xa-card__title">{title}</View>
          {extra ? <View className="xa-card__extra">{extra}</View> : null}
        </View>
      ) : null}
      {children}
    </View>
  );
}
