export default definePageConfig({ navigationBarTitleText: '选择所在村（社区）' });
