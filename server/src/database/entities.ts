/**
 * Every entity, in one list the app and the migration CLI share.
 * A feature adds its entities here (one line each) — nowhere else.
 */
import { Counter } from '../common/db/counter.entity';
import { IdempotencyRecord } from '../common/idempotency/idempotency-record.entity';
import { OrgUnit } from '../modules/orgs/org-unit.entity';
import { User } from '../modules/users/user.entity';
import { Hazard } from '../modules/hazards/hazard.entity';
import { HazardEvent } from '../modules/hazards/hazard-event.entity';
import { HazardMonth } from '../modules/hazards/hazard-month.entity';
import { HazardTally } from '../modules/hazards/hazard-tally.entity';
import { Media } from '../modules/media/media.entity';
import { Notification } from '../modules/notifications/notification.entity';
import { FieldMetric, FieldRecord, FieldRecordHazard, FieldRecordRevision } from '../modules/fieldwork/field-record.entity';
import { FieldMonth } from '../modules/fieldwork/field-month.entity';
import { Message, MessageAudience, MessageDelivery, MessageReceipt, MessageReminder } from '../modules/publicity/message.entity';
import { SubscriptionConsent } from '../modules/subscriptions/subscription-consent.entity';
import { Invitation, InvitationUse } from '../modules/admin/invitation.entity';
import { AuditLog } from '../modules/audit/audit-log.entity';
import {
  PledgeCampaign,
  PledgeMonth,
  PledgeReminder,
  PledgeRosterEntry,
  PledgeSignature,
  PledgeTemplate,
  PledgeTemplateVersion,
  PledgeVoid,
} from '../modules/pledges/pledge.entities';
import { Incident, RiskSite, SitePatrol } from '../modules/registers/registers.entities';

export const ENTITIES = [
  Counter,
  IdempotencyRecord,
  OrgUnit,
  User,
  Hazard,
  HazardEvent,
  HazardMonth,
  HazardTally,
  Media,
  Notification,
  FieldRecord,
  FieldMetric,
  FieldRecordHazard,
  FieldRecordRevision,
  FieldMonth,
  Message,
  MessageAudience,
  MessageReceipt,
  MessageDelivery,
  MessageReminder,
  SubscriptionConsent,
  PledgeTemplate,
  PledgeTemplateVersion,
  PledgeCampaign,
  PledgeRosterEntry,
  PledgeSignature,
  PledgeReminder,
  PledgeMonth,
  PledgeVoid,
  Invitation,
  InvitationUse,
  AuditLog,
  RiskSite,
  SitePatrol,
  Incident,
];
