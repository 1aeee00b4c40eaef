import { Image, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { type Boundary, BOUNDARY_ORG_TYPES, ORG_TYPE_LABELS, type OrgUnitDto, type UnitImportChange, type UnitImportResult } from '@xiangan/shared';
import { useState } from 'react';
import { Card, Field, Loading, PageShell, PrimaryButton } from '../../components';
import { pickFile, type PickedFile } from '../../platform/files';
import { adminApi, openUnitTemplate, uploadUnits } from '../../services/admin';
import { boundaryApi, boundaryOutlineSvg, type BoundaryPreview, boundarySaveError, parseBoundaryFile, pickGeoJsonText } from '../../services/boundary';
import { useRemote } from '../../hooks/use-remote';
import { errorText, toastError } from '../../services/request';
import { useSession } from '../../store/session';
import '../admin.scss';
import { SaveCancel } from '../SaveCancel';

/** 单位: the tree (tap to open, 修改 to edit), and for admins the spreadsheet import with a preview before applying. */
export default function Units() {
  const { me } = useSession();
  const admin = me?.role === 'admin';
  const canBound = admin || me?.role === 'town_officer';
  const [open, setOpen] = useState<Record<number, boolean>>({});
  const [editing, setEditing] = useState<OrgUnitDto | null>(null);
  const [form, setForm] = useState({ name: '', code: '', population: '' });
  const [file, setFile] = useState<PickedFile | null>(null);
  const [preview, setPreview] = useState<UnitImportResult | null>(null);
  // 边界: the unit whose boundary is open, what it has now, and a file read but not yet saved
  const [bounding, setBounding] = useState<OrgUnitDto | null>(null);
  const [current, setCurrent] = useState<BoundaryPreview | null | undefined>(undefined);
  const [geo, setGeo] = useState<BoundaryPreview | null>(null);
  const [geoError, setGeoError] = useState('');

  const remote = useRemote(
    () =>
      adminApi.orgTree().then((t) => {
        if (t[0]) setOpen((o) => ({ [t[0].id]: true, ...o }));
        return t;
      }),
    [],
    { onShow: true },
  );
  const tree = remote.data;
  const load = remote.reload;

  const choose = async () => {
    try {
      const f = await pickFile(['xlsx']);
      if (!f) return;
      setFile(f);
      setPreview(await uploadUnits(f, true));
    } catch (e) {
      Taro.showModal({ title: '文件没有读取', content: errorText(e), showCancel: false });
    }
  };
  const apply = async () => {
    if (!file) return;
    try {
      const res = await uploadUnits(file, false);
      Taro.showModal({
        title: '已导入',
        content: `新建 ${res.created.length}，移动 ${res.moved.length}，改名 ${res.renamed.length}，更新 ${res.updated.length}，未变 ${res.unchanged}`,
        showCancel: false,
      });
      setPreview(null);
      setFile(null);
      await load();
    } catch (e) {
      Taro.showModal({ title: '没有导入，单位没有任何改变', content: errorText(e), showCancel: false });
    }
  };
  const startEdit = (o: OrgUnitDto) => {
    setEditing(o);
    setForm({ name: o.name, code: o.code ?? '', population: o.population === null ? '' : String(o.population) });
  };
  const save = async () => {
    if (!editing) return;
    try {
      await adminApi.updateOrg(editing.id, {
        name: form.name.trim(),
        ...(form.code.trim() ? { code: form.code.trim() } : {}),
        ...(form.population.trim() ? { population: Number(form.population) } : {}),
      });
      setEditing(null);
      Taro.showToast({ title: '已保存', icon: 'success' });
      await load();
    } catch (e) {
      toastError(e);
    }
  };

  const describe = (b: Boundary | null) => (b ? parseBoundaryFile(JSON.stringify(b)) : null);
  const openBoundary = async (o: OrgUnitDto) => {
    setBounding(o);
    setCurrent(undefined);
    setGeo(null);
    setGeoError('');
    Taro.pageScrollTo({ scrollTop: 0, duration: 0 }).catch(() => undefined);
    try {
      setCurrent(describe((await boundaryApi.get(o.id)).boundary));
    } catch (e) {
      setCurrent(null);
      toastError(e);
    }
  };
  const chooseGeo = async () => {
    setGeoError('');
    setGeo(null);
    try {
      const text = await pickGeoJsonText();
      if (text === null) return;
      setGeo(parseBoundaryFile(text));
    } catch (e) {
      setGeoError(errorText(e) || (e as Error).message);
    }
  };
  const saveGeo = async () => {
    if (!bounding || !geo) return;
    try {
      await boundaryApi.set(bounding.id, geo.boundary);
      setCurrent(geo);
      setGeo(null);
      Taro.showToast({ title: '边界已保存', icon: 'success' });
      await load();
    } catch (e) {
      setGeoError(boundarySaveError(e));
    }
  };
  const clearGeo = async () => {
    if (!bounding) return;
    const ok = await Taro.showModal({ title: '清除边界', content: `清除后，「${bounding.name}」范围内的新隐患不再按位置自动交给它。确定清除吗？` });
    if (!ok.confirm) return;
    try {
      await boundaryApi.clear(bounding.id);
      setCurrent(null);
      Taro.showToast({ title: '边界已清除', icon: 'success' });
      await load();
    } catch (e) {
      setGeoError(boundarySaveError(e));
    }
  };
  const boxText = (p: BoundaryPreview) =>
    `经度 ${p.box.minLng.toFixed(5)}～${p.box.maxLng.toFixed(5)}，纬度 ${p.box.minLat.toFixed(5)}～${p.box.maxLat.toFixed(5)}`;
  const boundaryView = (p: BoundaryPreview, label: string) => (
    <View className="adm__geo">
      <Image className="adm__geo-img" src={boundaryOutlineSvg(p.boundary)} mode="aspectFit" />
      <View className="adm__geo-info">
        <View className="adm__main">{label}</View>
        <View>
          共 <Text className="adm__num">{p.points}</Text> 个点{p.polygons > 1 ? `，${p.polygons} 块` : ''}
        </View>
        <View className="adm__muted">{boxText(p)}</View>
      </View>
    </View>
  );

  const renderNode = (o: OrgUnitDto, depth: number) => {
    const kids = o.children ?? [];
    const isOpen = !!open[o.id];
    return (
      <View key={o.id}>
        <View className="adm__tree-node" style={{ paddingLeft: Taro.pxTransform(depth * 32) }}>
          <View className="adm__tree-toggle" onClick={() => setOpen({ ...open, [o.id]: !isOpen })}>
            {kids.length ? (isOpen ? '−' : '+') : ''}
          </View>
          <View className="adm__tree-name" onClick={() => setOpen({ ...open, [o.id]: !isOpen })}>
            <View>{o.name}</View>
            {kids.length ? <View className="adm__muted">{kids.length} 个下级</View> : null}
          </View>
          <View className="adm__tree-type">{ORG_TYPE_LABELS[o.type]}</View>
          {canBound && (BOUNDARY_ORG_TYPES as readonly string[]).includes(o.type) ? (
            <View className="adm__link" onClick={() => openBoundary(o)}>
              {o.hasBoundary ? '边界✓' : '边界'}
            </View>
          ) : null}
          {admin ? (
            <View className="adm__link" onClick={() => startEdit(o)}>
              修改
            </View>
          ) : null}
        </View>
        {isOpen ? kids.map((k) => renderNode(k, depth + 1)) : null}
      </View>
    );
  };

  const changeList = (title: string, list: UnitImportChange[], text: (c: UnitImportChange) => string) =>
    list.length ? (
      <View>
        <View className="adm__main">
          {title}（{list.length}）
        </View>
        {list.slice(0, 30).map((c) => (
          <View key={`${title}${c.row}`} className="adm__muted">
            第 {c.row} 行：{text(c)}
          </View>
        ))}
        {list.length > 30 ? <View className="adm__muted">……共 {list.length} 个</View> : null}
      </View>
    ) : null;

  return (
    <PageShell title="单位">
      <View className="adm__wide">
        {admin ? (
          <Card title="从表格导入单位">
            <View className="adm__muted">按模板填写：类型、名称、上级、区划代码、人口。先预览，确认无误再导入；重复导入不会重复建单位。</View>
            <View className="adm__actions">
              <PrimaryButton type="plain" size="small" block={false} onClick={openUnitTemplate}>
                下载模板
              </PrimaryButton>
              <PrimaryButton size="small" block={false} onClick={choose}>
                选择表格并预览
              </PrimaryButton>
            </View>
            {preview ? (
              <View>
                <View className="adm__summary">
                  {(
                    [
                      ['共', preview.rows, '行'],
                      ['新建', preview.created.length],
                      ['移动', preview.moved.length],
                      ['改名', preview.renamed.length],
                      ['更新', preview.updated.length],
                      ['未变', preview.unchanged],
                    ] as [string, number, string?][]
                  ).map(([what, n, unit]) => (
                    <View key={what}>
                      {what} <Text className="adm__num">{n}</Text>
                      {unit ? ` ${unit}` : null}
                    </View>
                  ))}
                </View>
                {preview.errors.length ? (
                  <View>
                    <View className="adm__main adm__danger">有 {preview.errors.length} 处错误，改好后重新选择表格：</View>
                    {preview.errors.map((e, i) => (
                      <View key={i} className="adm__err">
                        {e.row ? `第 ${e.row} 行「${e.column}」：` : ''}
                        {e.message}
                      </View>
                    ))}
                  </View>
                ) : (
                  <View>
                    {changeList('新建', preview.created, (c) => c.path)}
                    {changeList('移动', preview.moved, (c) => `${c.name}：${c.from} → ${c.to}`)}
                    {changeList('改名', preview.renamed, (c) => `${c.from} → ${c.to}`)}
                    <PrimaryButton
                      onClick={apply}
                      disabled={!preview.created.length && !preview.moved.length && !preview.renamed.length && !preview.updated.length}
                    >
                      确认导入
                    </PrimaryButton>
                  </View>
                )}
              </View>
            ) : null}
          </Card>
        ) : null}

        {editing ? (
          <Card title={`修改「${editing.name}」`}>
            <Field label="名称" required>
              <Input className="xa-input" value={form.name} onInput={(e) => setForm({ ...form, name: e.detail.value })} />
            </Field>
            <Field label="统计用区划代码" hint="12 位数字，可不填">
              <Input className="xa-input" type="number" value={form.code} onInput={(e) => setForm({ ...form, code: e.detail.value })} />
            </Field>
            <Field label="人口">
              <Input className="xa-input" type="number" value={form.population} onInput={(e) => setForm({ ...form, population: e.detail.value })} />
            </Field>
            <SaveCancel onSave={save} onCancel={() => setEditing(null)} />
          </Card>
        ) : null}

        {bounding ? (
          <Card title={`「${bounding.name}」的边界`}>
            <View className="adm__muted">
              导入 GeoJSON 文件（.geojson / .json，经纬度用 GCJ-02，即微信、高德地图的坐标）。位置落在边界内的新隐患会自动交给「{bounding.name}」。
            </View>
            {current === undefined ? <Loading /> : current ? boundaryView(current, '现在的边界') : <View className="adm__main">还没有边界</View>}
            {geo ? boundaryView(geo, '文件里的边界（还没有保存）') : null}
            {geoError ? <View className="adm__err">{geoError}</View> : null}
            <View className="adm__actions">
              <PrimaryButton type={geo ? 'plain' : 'primary'} size="small" block={false} onClick={chooseGeo}>
                选择边界文件
              </PrimaryButton>
              {geo ? (
                <PrimaryButton size="small" block={false} onClick={saveGeo}>
                  保存边界
                </PrimaryButton>
              ) : null}
              {current ? (
                <PrimaryButton type="secondary" size="small" block={false} onClick={clearGeo}>
                  清除边界
                </PrimaryButton>
              ) : null}
              <PrimaryButton type="secondary" size="small" block={false} onClick={() => setBounding(null)}>
                关闭
              </PrimaryButton>
            </View>
          </Card>
        ) : null}

        <Card title="单位树">
          {!tree ? (
            <Loading error={remote.error} onRetry={remote.reload} />
          ) : tree.length ? (
            tree.map((o) => renderNode(o, 0))
          ) : (
            <View className="adm__muted">还没有单位。请先下载模板，填好后导入。</View>
          )}
        </Card>
      </View>
    </PageShell>
  );
}
