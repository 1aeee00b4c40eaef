export default definePageConfig({ navigationBarTitleText: '乡安' });
