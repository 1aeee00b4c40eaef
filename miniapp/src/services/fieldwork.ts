/** Field work log: inspections, enforcement, drills, activities. */
import type { CreateFieldRecordRequest, FieldRecordDto, FieldRecordPage, FieldType, UpdateFieldRecordRequest } from '@xiangan/shared';
import { FIELD_TYPE_PATHS } from '@xiangan/shared';
import { api } from './request';

export function listFieldRecords(type: FieldType, query: { page?: number; pageSize?: number; from?: string; to?: string } = {}) {
  return api.get<FieldRecordPage>(`/${FIELD_TYPE_PATHS[type]}`, { query });
}

export function createFieldRecord(type: FieldType, body: CreateFieldRecordRequest, key?: string) {
  return api.post<FieldRecordDto>(`/${FIELD_TYPE_PATHS[type]}`, body, { idempotent: key ?? true });
}

/** PUT (wx.request has no PATCH); the server changes the fields given. */
export function updateFieldRecord(type: FieldType, id: number, body: UpdateFieldRecordRequest) {
  return api.put<FieldRecordDto>(`/${FIELD_TYPE_PATHS[type]}/${id}`, body);
}
