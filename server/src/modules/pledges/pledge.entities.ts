import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { PledgeFieldSpec, PledgeKind, PledgeRosterKind, PledgeSignerSpec } from '@xiangan/shared';
import { CreatedAtColumn, DateTimeColumn, JsonColumn, OrgPathColumn } from '../../common/db/columns';

/** A pledge text family (防溺水承诺书 …); its words live in versions. */
@Entity('pledge_template')
export class PledgeTemplate {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 32 })
  kind: PledgeKind;

  @Column({ type: 'varchar', length: 60 })
  title: string;

  @Column({ type: 'int', nullable: true })
  latestVersionId: number | null;

  @Column({ type: 'int', default: 0 })
  versionCount: number;

  /** Set on the shipped defaults (= kind) so two processes starting at once seed them once. */
  @Index('uq_pledge_template_builtin', { unique: true })
  @Column({ type: 'varchar', length: 32, nullable: true })
  builtinKey: string | null;

  /** Owner unit: its subtree sees the template and only its editors add versions. Null = shipped / county-wide (admins edit). */
  @Column({ type: 'int', nullable: true })
  orgId: number | null;

  @Index('idx_pledge_template_org_path')
  @Column({ type: 'varchar', length: 255, nullable: true })
  orgPath: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}

/** One immutable wording of a template. Rows are only ever inserted. */
@Entity('pledge_template_version')
@Index('uq_pledge_template_version', ['templateId', 'version'], { unique: true })
export class PledgeTemplateVersion {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  templateId: number;

  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'varchar', length: 32 })
  kind: PledgeKind;

  @Column({ type: 'varchar', length: 60 })
  title: string;

  @Column({ type: 'text' })
  body: string;

  @JsonColumn({ nullable: false })
  signers: PledgeSignerSpec[];

  @JsonColumn({ nullable: false })
  fields: PledgeFieldSpec[];

  @Column({ type: 'varchar', length: 64 })
  contentHash: string;

  @Column({ type: 'int', nullable: true })
  createdById: number | null;

  @CreatedAtColumn()
  createdAt: Date;
}

/** A template version sent to a unit with a deadline. `seq`/`lastHash` are the head of its signature chain. */
@Entity('pledge_campaign')
export class PledgeCampaign {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  templateVersionId: number;

  @Column({ type: 'varchar', length: 32 })
  kind: PledgeKind;

  @Column({ type: 'varchar', length: 60 })
  title: string;

  @Column({ type: 'int' })
  orgId: number;

  @Index('idx_pledge_campaign_org_path')
  @OrgPathColumn()
  orgPath: string;

  @DateTimeColumn()
  deadline: Date;

  @DateTimeColumn({ nullable: true })
  closedAt: Date | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  rosterKind: PledgeRosterKind | null;

  @Column({ type: 'int', default: 0 })
  rosterCount: number;

  /** Number of signatures = seq of the newest one. */
  @Column({ type: 'int', default: 0 })
  seq: number;

  /**
   * Roster entries that have signed (signatureId set), kept by the signing batch and the roster import under
   * the campaign row lock — the statistics read it instead of counting the roster.
   */
  @Column({ type: 'int', default: 0 })
  rosterSigned: number;

  /** Void links on the chain (seq counts them too): valid signatures = seq - 2 × voidCount. */
  @Column({ type: 'int', default: 0 })
  voidCount: number;

  @Column({ type: 'varchar', length: 64 })
  lastHash: string;

  @DateTimeColumn({ nullable: true })
  lastReminderAt: Date | null;

  @Column({ type: 'int', nullable: true })
  createdById: number | null;

  @CreatedAtColumn()
  createdAt: Date;
}

/** One row of an imported roster (a student with class and guardian, or an enterprise). */
@Entity('pledge_roster_entry')
@Index('idx_pledge_roster_campaign_group', ['campaignId', 'groupName'])
@Index('uq_pledge_roster_dedupe', ['campaignId', 'dedupeKey'], { unique: true })
export class PledgeRosterEntry {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  campaignId: number;

  @Column({ type: 'int' })
  rowNo: number;

  /** Class (一年级一班) for students; the unit name itself for enterprises. */
  @Column({ type: 'varchar', length: 60 })
  groupName: string;

  /** Student name, or the enterprise's name. */
  @Column({ type: 'varchar', length: 60 })
  name: string;

  /** Guardian, or the person in charge (负责人). */
  @Column({ type: 'varchar', length: 30, nullable: true })
  guardianName: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  phone: string | null;

  /** Same identity rule a signature uses (name + group + phone). */
  @Column({ type: 'varchar', length: 64 })
  dedupeKey: string;

  @Column({ type: 'int', nullable: true })
  signatureId: number | null;
}

/** One signed pledge, a link in its campaign's hash chain. Never updated after insert. */
@Entity('pledge_signature')
@Index('uq_pledge_signature_seq', ['campaignId', 'seq'], { unique: true })
/** One valid signature per pledge: activeKey = dedupeKey, cleared (NULL) when voided so the real signer can sign. */
@Index('uq_pledge_signature_active', ['campaignId', 'activeKey'], { unique: true })
@Index('uq_pledge_signature_client', ['signerUserId', 'clientKey'], { unique: true })
@Index('idx_pledge_signature_campaign_group', ['campaignId', 'groupName'])
/** Statistics (stats module): signatures of a campaign in a period, counted from the index alone. */
@Index('idx_pledge_signature_campaign_signed', ['campaignId', 'signedAt'])
export class PledgeSignature {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  campaignId: number;

  @Column({ type: 'int' })
  seq: number;

  @Column({ type: 'int', nullable: true })
  rosterEntryId: number | null;

  @Column({ type: 'varchar', length: 60, nullable: true })
  groupName: string | null;

  /**
   * The unit (org_unit id) a 责任书 is signed for, so it meets the paper letter of the same unit by id: the unit of
   * the campaign's subtree the unit name names, else the signer's own enterprise (village). NULL for others and
   * for rows signed before the column (the statistics then match the name). Not part of the chain record.
   */
  @Column({ type: 'int', nullable: true })
  unitOrgId: number | null;

  @Column({ type: 'varchar', length: 64 })
  dedupeKey: string;

  @Column({ type: 'int' })
  signerUserId: number;

  /** The phone's Idempotency-Key (or a server-made one), unique per signer. */
  @Column({ type: 'varchar', length: 64 })
  clientKey: string;

  @Column({ type: 'int' })
  templateVersionId: number;

  @Column({ type: 'varchar', length: 64 })
  contentHash: string;

  @JsonColumn({ nullable: false })
  fields: Record<string, string>;

  /** [{ role, key, sha256 }] — the PNGs in object storage. */
  @JsonColumn({ nullable: false })
  images: { role: string; key: string; sha256: string }[];

  @DateTimeColumn()
  signedAt: Date;

  @Column({ type: 'varchar', length: 64 })
  prevHash: string;

  @Column({ type: 'varchar', length: 64 })
  chainHash: string;

  /** dedupeKey while valid, NULL once voided. Not part of the chain record (the void record is). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  activeKey: string | null;

  /** When a void record was appended for it (mirrors pledge_void for cheap filtering). */
  @DateTimeColumn({ nullable: true })
  voidedAt: Date | null;
}

/** An officer's void of one signature: a link of the campaign's chain (seq shared with signatures). Never updated. */
@Entity('pledge_void')
@Index('uq_pledge_void_seq', ['campaignId', 'seq'], { unique: true })
@Index('uq_pledge_void_signature', ['signatureId'], { unique: true })
export class PledgeVoid {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  campaignId: number;

  @Column({ type: 'int' })
  seq: number;

  @Column({ type: 'int' })
  signatureId: number;

  @Column({ type: 'int' })
  signatureSeq: number;

  /** The voided signature's chain hash (binds the void to exactly that record). */
  @Column({ type: 'varchar', length: 64 })
  signatureHash: string;

  @Column({ type: 'varchar', length: 200 })
  reason: string;

  @Column({ type: 'int' })
  voidedById: number;

  @Column({ type: 'varchar', length: 50, nullable: true })
  voidedByName: string | null;

  @DateTimeColumn()
  voidedAt: Date;

  @Column({ type: 'varchar', length: 64 })
  prevHash: string;

  @Column({ type: 'varchar', length: 64 })
  chainHash: string;
}

/**
 * The statistics' rollup: signatures of one campaign made in one China month (`YYYY-MM` of signedAt at
 * UTC+8), added by each signing batch in its transaction (pledge-month.rollup.ts), rebuilt by seeders and
 * bulk loads. A county-year summary reads these rows instead of counting every signature; the days at the
 * edges of a period are counted from the signatures themselves.
 */
@Entity('pledge_month')
/** Month leads: a period is one range however many years are stored. */
@Index('idx_pledge_month_range', ['month', 'campaignId', 'signed'])
export class PledgeMonth {
  @PrimaryColumn({ type: 'int' })
  campaignId: number;

  @PrimaryColumn({ type: 'varchar', length: 7 })
  month: string;

  @Column({ type: 'int', default: 0 })
  signed: number;
}

/** A reminder an officer sent for the unsigned. */
@Entity('pledge_reminder')
@Index('idx_pledge_reminder_campaign', ['campaignId'])
export class PledgeReminder {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  campaignId: number;

  @Column({ type: 'int' })
  createdById: number;

  @Column({ type: 'int' })
  unsignedCount: number;

  @Column({ type: 'int' })
  notified: number;

  @CreatedAtColumn()
  createdAt: Date;
}
