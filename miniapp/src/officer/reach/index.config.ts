export default definePageConfig({ navigationBarTitleText: '宣传到达情况' });
