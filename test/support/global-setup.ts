export default function globalSetup(): void {
  process.env.LEXIKON_TEST_SETUP = '1';
}
