export default definePageConfig({ navigationBarTitleText: '风险点台账' });
