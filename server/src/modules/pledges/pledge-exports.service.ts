import { Inject, Injectable, Logger, PayloadTooLargeException, ServiceUnavailableException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { beijingTimeSeconds, PLEDGE_KIND_LABELS } from '@xiangan/shared';
import type { FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { IsNull, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { stripOnWrite, stripXmlIllegal } from '../../common/text/xml-text';
import { OBJECT_STORAGE, ObjectStorage } from '../storage/storage';
import { PledgeCampaignsService } from './pledge-campaigns.service';
import { PledgeTemplatesService } from './pledge-templates.service';
import { PledgeRosterEntry, PledgeSignature } from './pledge.entities';
import { readSignatureImage } from './signature-art';
import { FILE_TYPES, startDownload } from '../../common/http/download';

/** One PDF or sheet holds at most this many signed pledges; larger campaigns export per class (`?group=`). */
export const EXPORT_MAX_ROWS = 3000;

/**
 * CJK fonts pdfkit can embed (it subsets, so the PDF carries only the glyphs used). PLEDGE_PDF_FONT overrides;
 * the default is Debian's fonts-noto-cjk (`apt-get install fonts-noto-cjk`).
 */
const FONT_CANDIDATES: [string, string | undefined][] = [
  ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', 'NotoSansCJKsc-Regular'],
  ['/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc', 'NotoSansCJKsc-Regular'],
  ['/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', 'NotoSerifCJKsc-Regular'],
  ['/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', 'WenQuanYi Micro Hei'],
];

let fontCache: { buf: Buffer; family?: string } | null = null;
function cjkFont(cfg: AppConfig): { buf: Buffer; family?: string } {
  if (fontCache) return fontCache;
  for (const [path, family] of [[cfg.PLEDGE_PDF_FONT ?? '', cfg.PLEDGE_PDF_FONT_FAMILY] as const, ...FONT_CANDIDATES]) {
    if (path && existsSync(path)) return (fontCache = { buf: readFileSync(path), family });
  }
  throw new ServiceUnavailableException('服务器缺少中文字体，无法导出 PDF（请安装 fonts-noto-cjk 或设置 PLEDGE_PDF_FONT）');
}

@Injectable()
export class PledgeExportsService {
  private readonly logger = new Logger('PledgeExports');
  constructor(
    @InjectRepository(PledgeRosterEntry) private readonly pledgeRosterEntries: Repository<PledgeRosterEntry>,
    @InjectRepository(PledgeSignature) private readonly pledgeSignatures: Repository<PledgeSignature>,
    private readonly campaigns: PledgeCampaignsService,
    private readonly templates: PledgeTemplatesService,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly audit: AuditService,
    private readonly cfg: AppConfig,
  ) {}

  private async countAndCheck(campaignId: number, group?: string): Promise<number> {
    const n = await this.pledgeSignatures.count({ where: { campaignId, voidedAt: IsNull(), ...(group ? { groupName: group } : {}) } });
    if (n > EXPORT_MAX_ROWS) throw new PayloadTooLargeException(`共 ${n} 份，超过单次导出上限 ${EXPORT_MAX_ROWS} 份，请按班级分批导出`);
    return n;
  }

  private async *signatures(campaignId: number, group?: string): AsyncGenerator<PledgeSignature> {
    for (let after = 0; ;) {
      // voided signatures stay in the chain (verify shows them) but not in the exported pledges
      const qb = this.pledgeSignatures.createQueryBuilder('s').where('s.campaignId = :id AND s.seq > :after AND s.voidedAt IS NULL', { id: campaignId, after });
      if (group) qb.andWhere('s.groupName = :group', { group });
      const rows = await qb.orderBy('s.seq', 'ASC').take(200).getMany();
      if (!rows.length) return;
      for (const r of rows) yield r;
      after = rows[rows.length - 1].seq;
    }
  }

  /** One A4 page per signed pledge: the full text, the fields, each signer's image, the time and the hashes. Streamed. */
  async pdf(user: AuthUser, campaignId: number, res: FastifyReply, group?: string): Promise<void> {
    const c = await this.campaigns.loadForOfficer(user, campaignId);
    const count = await this.countAndCheck(campaignId, group);
    const font = cjkFont(this.cfg);
    await this.audit.record({
      actor: user,
      action: 'export.signatures_pdf',
      orgPath: c.orgPath,
      targetType: 'pledge_campaign',
      targetId: c.id,
      detail: { group: group ?? null, signatures: count },
    });
    const versionCache = new Map<number, Awaited<ReturnType<PledgeTemplatesService['version']>>>();
    const PDFDocument = (await import('pdfkit')).default; // loaded on first use (docs/DECISIONS.md)
    const doc = new PDFDocument({
      size: 'A4',
      margin: 48,
      autoFirstPage: false,
      info: { Title: c.title, Author: '乡安', Subject: PLEDGE_KIND_LABELS[c.kind] },
    });
    doc.registerFont('cjk', font.buf, font.family);
    stripOnWrite(doc, 'text'); // no XML-illegal characters (lone surrogates, U+FFFF) reach the font engine
    doc.pipe(startDownload(res, { type: FILE_TYPES.pdf, filename: `${c.title}-签名.pdf`, fallback: `pledges-${campaignId}.pdf` }));
    let pages = 0;
    try {
      for await (const s of this.signatures(campaignId, group)) {
        let v = versionCache.get(s.templateVersionId);
        if (!v) versionCache.set(s.templateVersionId, (v = await this.templates.version(s.templateVersionId)));
        const imgs = await Promise.all(s.images.map(async (i) => ({ ...i, png: await readSignatureImage(this.storage, i.key).catch(() => null) })));
        doc.addPage();
        pages++;
        doc.font('cjk');
        const width = doc.page.width - 96;
        doc.fontSize(18).text(v.title, { align: 'center', width });
        doc.moveDown(0.2).fontSize(9).fillColor('#555').text(`${c.title} · 第 ${s.seq} 份`, { align: 'center', width }).fillColor('#000');
        doc.moveDown(0.6);
        // fit the whole text on the page: shrink the body font for long custom texts
        let size = 11;
        const room = doc.page.height - doc.y - 48 - 250;
        while (size > 7 && doc.fontSize(size).heightOfString(v.body, { width, lineGap: 2, paragraphGap: 3 }) > room) size -= 0.5;
        doc.fontSize(size).text(v.body, { width, lineGap: 2, paragraphGap: 3 });
        doc.moveDown(0.8).fontSize(11);
        const line = v.fields.map((f) => `${f.label}：${s.fields[f.key] ?? '—'}`).join('    ');
        doc.text(line, { width });
        doc.moveDown(0.5);
        const top = doc.y;
        const boxW = Math.min(220, (width - 16 * (imgs.length - 1)) / Math.max(1, imgs.length));
        imgs.forEach((img, i) => {
          const x = 48 + i * (boxW + 16);
          const label = v!.signers.find((x2) => x2.role === img.role)?.label ?? img.role;
          doc.fontSize(10).text(`${label}签名：`, x, top, { width: boxW });
          if (img.png) doc.image(img.png, x, top + 16, { fit: [boxW, 80] });
          else
            doc
              .fontSize(9)
              .fillColor('#c00')
              .text('（图片缺失）', x, top + 40)
              .fillColor('#000');
          doc
            .rect(x, top + 14, boxW, 84)
            .lineWidth(0.5)
            .strokeColor('#999')
            .stroke();
        });
        doc.x = 48;
        doc.y = top + 108;
        doc.fontSize(11).text(`签署时间：${beijingTimeSeconds(s.signedAt)}（北京时间）`, { width });
        doc.moveDown(0.4).fontSize(7).fillColor('#444');
        doc.text(`正文哈希 SHA-256：${s.contentHash}`, { width });
        for (const img of s.images) doc.text(`${img.role} 签名图片 SHA-256：${img.sha256}`, { width });
        doc.text(`上一环链哈希：${s.prevHash}`, { width });
        doc.text(`本环链哈希：${s.chainHash}`, { width }).fillColor('#000');
      }
      if (!pages) {
        doc.addPage().font('cjk').fontSize(14).text(`《${c.title}》暂无签名`, { align: 'center' });
      }
    } catch (err) {
      this.logger.error(`pdf export of campaign ${campaignId} failed: ${(err as Error).message}`);
    }
    doc.end();
  }

  /** Summary sheet of signed pledges plus the unsigned list, streamed. */
  async xlsx(user: AuthUser, campaignId: number, res: FastifyReply, group?: string): Promise<void> {
    const c = await this.campaigns.loadForOfficer(user, campaignId);
    const count = await this.countAndCheck(campaignId, group);
    const v = await this.templates.version(c.templateVersionId);
    await this.audit.record({
      actor: user,
      action: 'export.signatures_xlsx',
      orgPath: c.orgPath,
      targetType: 'pledge_campaign',
      targetId: c.id,
      detail: { group: group ?? null, signatures: count },
    });
    // the second sheet lists the unsigned with their full phones: its own entry
    if (c.rosterKind)
      await this.audit.record({
        actor: user,
        action: 'export.unsigned_with_phones',
        orgPath: c.orgPath,
        targetType: 'pledge_campaign',
        targetId: c.id,
        detail: { group: group ?? null },
      });
    const out = startDownload(res, { type: FILE_TYPES.xlsx, filename: `${c.title}-汇总.xlsx`, fallback: `pledges-${campaignId}.xlsx` });
    const ExcelJS = await import('exceljs'); // loaded on first use (docs/DECISIONS.md)
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
    const ws = stripOnWrite(wb.addWorksheet('已签'), 'addRow'); // XML-illegal characters dropped from every row
    ws.columns = [
      { header: '编号', key: 'seq', width: 8 },
      { header: c.rosterKind === 'enterprise' ? '单位' : '班级', key: 'group', width: 16 },
      ...v.fields.map((f) => ({ header: stripXmlIllegal(f.label), key: `f_${f.key}`, width: f.type === 'phone' ? 15 : 14 })),
      { header: '签署时间', key: 'time', width: 20 },
      { header: '链哈希', key: 'hash', width: 70 },
    ];
    ws.getRow(1).font = { bold: true };
    for await (const s of this.signatures(campaignId, group)) {
      ws.addRow({
        seq: s.seq,
        group: s.groupName ?? '',
        ...Object.fromEntries(v.fields.map((f) => [`f_${f.key}`, s.fields[f.key] ?? ''])),
        time: beijingTimeSeconds(s.signedAt),
        hash: s.chainHash,
      }).commit();
    }
    ws.commit();
    if (c.rosterKind) {
      const un = stripOnWrite(wb.addWorksheet('未签'), 'addRow');
      un.columns = [
        { header: '名单行号', key: 'row', width: 10 },
        { header: c.rosterKind === 'enterprise' ? '单位' : '班级', key: 'group', width: 16 },
        { header: c.rosterKind === 'enterprise' ? '单位名称' : '学生姓名', key: 'name', width: 16 },
        { header: c.rosterKind === 'enterprise' ? '负责人' : '监护人', key: 'guardian', width: 12 },
        { header: '联系电话', key: 'phone', width: 15 },
      ];
      un.getRow(1).font = { bold: true };
      const rows = await this.pledgeRosterEntries.find({
        where: { campaignId, signatureId: IsNull(), ...(group ? { groupName: group } : {}) },
        order: { groupName: 'ASC', rowNo: 'ASC' },
        take: 20000,
      });
      // an officer exporting their own roster to chase signatures gets the full phone (it is their file)
      for (const r of rows) un.addRow({ row: r.rowNo, group: r.groupName, name: r.name, guardian: r.guardianName ?? '', phone: r.phone ?? '' }).commit();
      un.commit();
    }
    await wb.commit();
  }
}
