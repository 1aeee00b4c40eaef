/**
 * Field (alias FormRow) — one labelled form item on a white block. Put an Input/Textarea/Picker inside;
 * give inputs className 'xa-input' or 'xa-textarea' for the large, high-contrast style.
 * Props: label: string, required?: boolean (red *), hint?: ReactNode (grey help under the control),
 *        error?: string (red message), children.
 */
import { Text, View } from '@tarojs/components';
import type { ReactNode } from 'react';
import './styles.scss';

export interface FieldProps {
  label: string;
  required?: boolean;
  hint?: ReactNode;
  error?: string;
  children?: ReactNode;
}

export default function Field({ label, required, hint, error, children }: FieldProps) {
  return (
    <View className="xa-field">
      <View className="xa-field__label">
        {label}
        {required ? <Text className="xa-field__req">*</Text> : null}
      </View>
      {children}
      {error ? <View className="xa-field__error">{error}</View> : hint ? <View className="xa-field__hint">{hint}</View> : null}
    </View>
  );
}

export const FormRow = Field;
