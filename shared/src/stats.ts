/** Statistics and the year-end report. */
export {};
