import { View } from '@tarojs/components';
import { BigTile, Card, PageShell } from '../../components';
import { useSession } from '../../store/session';
import '../admin.scss';

/** 管理: the entry for admins and town officers. */
export default function AdminHome() {
  const { me } = useSession();
  const admin = me?.role === 'admin';
  return (
    <PageShell title="管理">
      <View className="adm__wide">
        <Card title={admin ? '系统管理员' : `${me?.orgName ?? ''} 管理`}>
          <View className="adm__muted">{admin ? '建单位、邀请干部、管理人员和承诺书模板。' : '邀请本镇干部、管理本镇人员。'}</View>
        </Card>
        <View className="xa-tiles">
          <BigTile title="单位" desc={admin ? '单位树，从表格导入' : '本镇的村、社区、网格'} icon="单" url="/admin/units/index" />
          <BigTile title="邀请干部" desc="生成邀请二维码或转发卡片" icon="邀" url="/admin/invitations/index" />
          <BigTile title="人员" desc="查找人员，改角色或单位，停用，离任移交" icon="人" url="/admin/people/index" />
          <BigTile title="承诺书模板" desc="查看和修改模板" icon="书" url="/admin/templates/index" />
        </View>
      </View>
    </PageShell>
  );
}
