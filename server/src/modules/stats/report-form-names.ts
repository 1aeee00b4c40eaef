/**
 * The three report forms of the reference reports, apart from the code that writes them: the request DTO needs the
 * names at start, the Word library (docx) is loaded only when a report is written (docs/DECISIONS.md, "Heavy
 * libraries on first use").
 */
export const REPORT_FORMS = ['annual', 'duty', 'campaign'] as const;
export type ReportForm = (typeof REPORT_FORMS)[number];
