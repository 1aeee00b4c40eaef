/** Pledges (承诺书) and responsibility letters (责任书). Request/response types live below the enums. */

export const PLEDGE_KINDS = ['drowning', 'holiday_safety', 'production_responsibility', 'fire_food_responsibility', 'food_drug_coordinator'] as const;
export type PledgeKind = (typeof PLEDGE_KINDS)[number];

export const PLEDGE_KIND_LABELS: Record<PledgeKind, string> = {
  drowning: '防溺水承诺书',
  holiday_safety: '假期安全承诺书',
  production_responsibility: '安全生产责任书',
  fire_food_responsibility: '消防及食品安全责任书',
  food_drug_coordinator: '食药品协管员责任书',
};

/** Who signs a pledge: a template declares one or more (guardian and student, sometimes the head teacher). */
export interface PledgeSignerSpec {
  /** `guardian`, `student`, `teacher`, `principal`, `coordinator`… — unique within a template. */
  role: string;
  /** Shown above the canvas, e.g. 家长（监护人）签名. */
  label: string;
}

export const PLEDGE_FIELD_TYPES = ['text', 'phone', 'relation'] as const;
export type PledgeFieldType = (typeof PLEDGE_FIELD_TYPES)[number];

/** A field the signer fills in (student name, class, guardian, relation, phone; or unit and person in charge). */
export interface PledgeFieldSpec {
  /** `studentName`, `className`, `guardianName`, `relation`, `phone`, `unitName`, `principalName`… */
  key: string;
  label: string;
  type: PledgeFieldType;
  required: boolean;
}

export const PLEDGE_RELATIONS = ['父亲', '母亲', '祖父', '祖母', '外祖父', '外祖母', '其他监护人'] as const;

/** Kinds of roster a campaign may import. */
export const PLEDGE_ROSTER_KINDS = ['student', 'enterprise'] as const;
export type PledgeRosterKind = (typeof PLEDGE_ROSTER_KINDS)[number];
/** Column headers the import expects, in this order (extra columns are ignored). */
export const PLEDGE_ROSTER_COLUMNS: Record<PledgeRosterKind, string[]> = {
  student: ['学生姓名', '班级', '监护人', '联系电话'],
  enterprise: ['单位名称', '负责人', '联系电话'],
};

export interface PledgeTemplateVersionDto {
  id: number;
  templateId: number;
  version: number;
  kind: PledgeKind;
  title: string;
  body: string;
  signers: PledgeSignerSpec[];
  fields: PledgeFieldSpec[];
  /** SHA-256 (hex) of the canonical JSON of kind, title, body, signers and fields. */
  contentHash: string;
  /** True once any signature refers to this version: it can never change (it never does anyway). */
  locked: boolean;
  createdAt: string;
}

export interface PledgeTemplateDto {
  id: number;
  kind: PledgeKind;
  kindLabel: string;
  title: string;
  latest: PledgeTemplateVersionDto;
  versionCount: number;
  /** The unit that owns it (its subtree sees it), or null for the shipped texts every unit sees (admins edit them). */
  orgId: number | null;
  orgName: string | null;
  /** The one used for this kind in the caller's unit: the nearest unit's own text, else the shipped one. */
  isDefault: boolean;
  /** Whether the caller may add a version. */
  editable: boolean;
}

export interface CreatePledgeTemplateRequest {
  kind: PledgeKind;
  /** Owner unit (in the caller's scope); default the caller's own unit. Admins may leave it out for a county-wide text. */
  orgId?: number;
  title: string;
  body: string;
  signers: PledgeSignerSpec[];
  fields: PledgeFieldSpec[];
}

/** A new version of an existing template (the old versions stay as they were). */
export type CreatePledgeTemplateVersionRequest = Omit<CreatePledgeTemplateRequest, 'kind' | 'orgId'>;

export const PLEDGE_CAMPAIGN_STATUSES = ['open', 'expired', 'closed'] as const;
export type PledgeCampaignStatus = (typeof PLEDGE_CAMPAIGN_STATUSES)[number];
export const PLEDGE_CAMPAIGN_STATUS_LABELS: Record<PledgeCampaignStatus, string> = {
  open: '签署中',
  expired: '已截止',
  closed: '已关闭',
};

export interface CreatePledgeCampaignRequest {
  templateVersionId: number;
  /** The unit the campaign is for (a school, a village, the whole town); must be in the officer's scope. */
  orgId: number;
  title?: string;
  /** ISO date-time; signing is refused after it. */
  deadline: string;
}

export interface PledgeCampaignDto {
  id: number;
  title: string;
  kind: PledgeKind;
  kindLabel: string;
  templateVersionId: number;
  orgId: number;
  orgName: string;
  deadline: string;
  status: PledgeCampaignStatus;
  rosterKind: PledgeRosterKind | null;
  rosterCount: number;
  /** Valid signatures (voided ones not counted). */
  signedCount: number;
  createdAt: string;
  /** For a resident: the id of their own signature in this campaign, if any. */
  mySignatureId?: number | null;
}

export interface PledgeProgressGroup {
  /** Class (一年级一班) or unit name; `未分组` when signed without a roster entry. */
  group: string;
  roster: number;
  signed: number;
}

export interface PledgeCampaignDetailDto extends PledgeCampaignDto {
  version: PledgeTemplateVersionDto;
  /** Officers only: signed / roster by class or unit. */
  progress: PledgeProgressGroup[] | null;
  /** The h5 link the QR code carries. */
  shareUrl: string;
  lastReminderAt: string | null;
}

export interface PledgeRosterImportResult {
  imported: number;
  rosterKind: PledgeRosterKind;
  /** Roster entries replaced by this import (an import replaces the whole unsigned roster). */
  replaced: number;
}

/**
 * A roster entry as a signer sees it when picking their child: only what signing needs. The class only when
 * several children share the name (the signer must pick); the guardian masked; no phone, no signed status.
 */
export interface PledgeRosterPickDto {
  id: number;
  name: string;
  group: string | null;
  guardianName: string | null;
}

/** 未签名单 row (officers): phone masked. */
export interface PledgeUnsignedDto {
  rosterId: number;
  rowNo: number;
  group: string;
  name: string;
  guardianName: string | null;
  phone: string | null;
}

export interface PledgeSignerImageInput {
  role: string;
  /** `data:image/png;base64,…` of the canvas (at most LIMITS.signatureMaxBytes decoded). */
  image: string;
}

/**
 * `POST /api/pledge-campaigns/:id/signatures` (JSON, header `Idempotency-Key`): the fields the template
 * declares and one PNG per declared signer.
 */
export interface SignPledgeRequest {
  /** The roster entry picked (when the campaign has a roster). */
  rosterId?: number;
  /**
   * WeChat: the code from `<Button openType="getPhoneNumber">`; the server asks WeChat for the verified phone.
   * Required for WeChat accounts.
   */
  phoneCode?: string;
  /** Elsewhere (h5): the signer's phone, typed (or `fields.phone` when the text has a phone field). */
  phone?: string;
  fields: Record<string, string>;
  signatures: PledgeSignerImageInput[];
}

export interface PledgeSignatureImageDto {
  role: string;
  label: string;
  sha256: string;
  /** `GET /api/pledge-signatures/:id/images/:role` (authorised). */
  url: string;
}

export interface PledgeSignatureDto {
  id: number;
  campaignId: number;
  campaignTitle: string;
  kind: PledgeKind;
  seq: number;
  group: string | null;
  fields: Record<string, string>;
  images: PledgeSignatureImageDto[];
  signedAt: string;
  templateVersionId: number;
  contentHash: string;
  prevHash: string;
  chainHash: string;
  /** Set when an officer voided it (the record stays in the chain; the pledge counts as unsigned). */
  void: PledgeVoidDto | null;
}

export interface PledgeVoidDto {
  /** Chain position of the void record. */
  seq: number;
  reason: string;
  voidedAt: string;
  voidedByName: string | null;
}

/** `POST /api/pledge-signatures/:id/void`: officers in scope of the campaign. */
export interface VoidPledgeSignatureRequest {
  /** Why (e.g. 非监护人代签); 2–200 characters. */
  reason: string;
}

export interface PledgeSignatureDetailDto extends PledgeSignatureDto {
  version: PledgeTemplateVersionDto;
}

export interface PledgeVerifyResult {
  ok: boolean;
  count: number;
  /** The campaign's stored head: equals the last record's chain hash when intact. */
  headHash: string;
  firstBroken: null | { seq: number; id: number | null; reason: string };
  /** Void records met on the chain (each names the signature it voids). */
  voids: { seq: number; signatureId: number; signatureSeq: number; reason: string; voidedAt: string }[];
  /**
   * Every signature image re-read from storage and re-hashed (null when asked with `images=false`).
   * `problems` lists at most PLEDGE_VERIFY_IMAGE_PROBLEMS_LISTED; `unlisted` counts the rest.
   */
  images: null | { checked: number; problems: PledgeImageProblem[]; unlisted: number };
  /** How many problems were found: 1 for a broken chain, plus one per image missing or altered. */
  problemCount: number;
}

/** A signature image that no longer matches what was signed. */
export interface PledgeImageProblem {
  seq: number;
  id: number;
  role: string;
  kind: 'missing' | 'altered';
  reason: string;
}

/** At most this many image problems are listed in one verify answer (the rest are counted). */
export const PLEDGE_VERIFY_IMAGE_PROBLEMS_LISTED = 100;

export interface PledgeRemindResult {
  id: number;
  remindedAt: string;
  unsignedCount: number;
  /** Signers reached in-app (their phone matches an account). */
  notified: number;
}

/** Hash the chain starts from. */
export const PLEDGE_CHAIN_GENESIS = '0'.repeat(64);
