/** Field work (检查、执法、演练、培训、线下宣传). Request/response types live below the enums. */
export {};
