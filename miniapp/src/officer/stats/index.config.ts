export default definePageConfig({ navigationBarTitleText: '统计与总结' });
