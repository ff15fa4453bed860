/** `npm start`: the whole backend on this machine, no account, key or network needed. */
import { EmulatorStartError, startEmulator } from './server';

const port = Number(process.env.PORT ?? 8787);
const dataDir = process.env.ESIGN_DATA_DIR ?? '.data';

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT 无效 / invalid PORT: ${process.env.PORT}`);
  process.exit(1);
}

startEmulator({ port, dataDir, verbose: true })
  .then((emu) => {
    console.log(`电子签个人版后端 · local emulator listening on ${emu.url}`);
    console.log(`  data:    ${dataDir}`);
    console.log(`  call:    curl -s -X POST ${emu.url}/fn/user-profile -H 'x-openid: alice' -d '{}'`);
    console.log(`  index:   ${emu.url}/   SMS outbox: ${emu.url}/outbox/sms`);
    const stop = () => void emu.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  })
  .catch((e: Error) => {
    console.error(e instanceof EmulatorStartError ? e.message : `启动失败 / could not start: ${e.message}`);
    process.exit(1);
  });
