export default definePageConfig({ navigationBarTitleText: '安全宣传' });
