/** In-app notices: deadline reminders, pledge and reading reminders (the server's notification table). */
import type { NotificationListDto } from '@xiangan/shared';
import { api } from './request';

export const notificationsApi = {
  list: (page = 1) => api.get<NotificationListDto>('/notifications', { query: { page, pageSize: 20 } }),
  read: (id: number) => api.post<unknown>(`/notifications/${id}/read`),
  readAll: () => api.post<unknown>('/notifications/read-all'),
};
