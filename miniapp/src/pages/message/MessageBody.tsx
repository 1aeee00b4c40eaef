import { Image, Text, Video, View } from '@tarojs/components';
import type { MessageBlock } from '@xiangan/shared';
import { apiUrl } from '../../services/config';
import '../feed/index.scss';

/** Renders body blocks with plain components only: text is text, never markup. */
export default function MessageBody({ body }: { body: MessageBlock[] }) {
  return (
    <View className="pub-body">
      {body.map((b, i) => {
        if (b.type === 'h')
          return (
            <View key={i} className="pub-body__h">
              <Text userSelect>{b.text}</Text>
            </View>
          );
        if (b.type === 'p')
          return (
            <View key={i} className={`pub-body__p ${b.bold ? 'pub-body__p--bold' : ''}`}>
              <Text userSelect>{b.text}</Text>
            </View>
          );
        if (b.type === 'image' && b.url)
          return (
            <View key={i}>
              <Image className="pub-body__img" src={apiUrl(b.url)} mode="widthFix" lazyLoad />
              {b.text ? <View className="pub-body__caption">{b.text}</View> : null}
            </View>
          );
        if (b.type === 'video' && b.url)
          return (
            <View key={i}>
              <Video className="pub-body__video" src={b.url} controls />
              {b.text ? <View className="pub-body__caption">{b.text}</View> : null}
            </View>
          );
        return null;
      })}
    </View>
  );
}
