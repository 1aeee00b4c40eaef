import { Input, Textarea, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { PledgeTemplateDto } from '@xiangan/shared';
import { useState } from 'react';
import { Card, Field, Loading, PageShell } from '../../components';
import { useRemote } from '../../hooks/use-remote';
import { api, errorText } from '../../services/request';
import { pledgesApi } from '../../services/pledges';
import '../admin.scss';
import { AdminTable } from '../AdminTable';
import { SaveCancel } from '../SaveCancel';

/**
 * 承诺书模板: the templates the caller may use; 修改 saves a new version (signed pledges keep the version they
 * signed). Who may change which template is the server's rule: a refusal is shown as it comes.
 */
export default function Templates() {
  const remote = useRemote(() => pledgesApi.templates(), [], { onShow: true });
  const list = remote.data;
  const [editing, setEditing] = useState<PledgeTemplateDto | null>(null);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');

  const load = remote.reload;

  const save = async () => {
    if (!editing) return;
    try {
      await api.put(`/pledge-templates/${editing.id}`, { title: title.trim(), body, signers: editing.latest.signers, fields: editing.latest.fields });
      setEditing(null);
      Taro.showToast({ title: '已保存为新版本', icon: 'success' });
      await load();
    } catch (e) {
      Taro.showModal({ title: '没有保存', content: errorText(e), showCancel: false });
    }
  };

  return (
    <PageShell title="承诺书模板">
      <View className="adm__wide">
        {editing ? (
          <Card title={`修改「${editing.title}」`}>
            <Field label="标题" required>
              <Input className="xa-input" value={title} onInput={(e) => setTitle(e.detail.value)} />
            </Field>
            <Field label="正文" required hint="保存后成为新版本；已签的承诺书不受影响">
              <Textarea className="xa-textarea" value={body} maxlength={-1} autoHeight onInput={(e) => setBody(e.detail.value)} />
            </Field>
            <SaveCancel onSave={save} onCancel={() => setEditing(null)} />
          </Card>
        ) : null}
        <Card title="模板">
          {!list ? (
            <Loading error={remote.error} onRetry={remote.reload} />
          ) : (
            <AdminTable
              rows={list}
              rowKey={(t) => t.id}
              columns={[
                { title: '标题', main: true, cell: (t) => t.title },
                { title: '类别', cell: (t) => t.kindLabel },
                { title: '版本', cell: (t) => `第 ${t.latest.version} 版，共 ${t.versionCount} 版` },
              ]}
              actions={(t) => (
                <View
                  className="adm__link"
                  onClick={() => {
                    setEditing(t);
                    setTitle(t.latest.title);
                    setBody(t.latest.body);
                  }}
                >
                  修改
                </View>
              )}
            />
          )}
        </Card>
      </View>
    </PageShell>
  );
}
