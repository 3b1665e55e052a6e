#!/usr/bin/ruby
# frozen_string_literal: true

# Conformance: Debian's ruby-kubeclient (the kubeclient gem) against `kexsim serve`.
#
# Usage: ruby_client.rb KUBECONFIG. Prints one line per check ("ok: ...", "FAIL: ...", "known gap: ...") and
# exits 1 if any check failed, 77 if the gem is not installed.

begin
  require 'kubeclient'
rescue LoadError => e
  puts "skip: the kubeclient gem is not installed (#{e.message}); scripts/install-deps installs ruby-kubeclient"
  exit 77
end
require 'base64'
require 'timeout'

FORBIDDEN = 'secrets is forbidden: User "system:serviceaccount:cicd:default" cannot create resource "secrets" ' \
            'in API group "" in the namespace "cicd"'
$failures = []

def check(what, ok, detail = '')
  puts((ok ? 'ok: ' : 'FAIL: ') + what + (ok ? '' : " -- #{detail}"))
  $failures << what unless ok
end

# The client for a kubeconfig context, built the way the gem's README does it.
def client_for(config, context)
  ctx = config.context(context)
  Kubeclient::Client.new("#{ctx.api_endpoint}/api", 'v1', ssl_options: ctx.ssl_options, auth_options: ctx.auth_options)
end

# Runs the block and returns the Kubeclient::HttpError it raised, or nil.
def http_error
  yield
  nil
rescue Kubeclient::HttpError => e
  e
end

# Starts watch_pods in a thread; the notices arrive on the returned queue.
def start_watch(client, options)
  notices = Queue.new
  watcher = client.watch_pods(options)
  thread = Thread.new do
    watcher.each { |notice| notices << notice }
  rescue StandardError => e
    notices << e
  end
  [watcher, thread, notices]
end

# Pops notices until the block says the last one is the one awaited, or 10 s pass.
def await_notices(notices, seen)
  Timeout.timeout(10) do
    loop do
      notice = notices.pop
      raise notice if notice.is_a?(Exception)

      seen << [notice.type, notice.object.metadata.name, notice.object.status&.phase]
      break if yield(notice)
    end
  end
rescue Timeout::Error
  seen << 'no further notice within 10 s'
end

def pod(name)
  Kubeclient::Resource.new(
    metadata: { name: name, namespace: 'cicd' },
    spec: { restartPolicy: 'Never', containers: [{ name: 'build', image: 'alpine:3.20', command: %w[sleep 3600] }] }
  )
end

def main(kubeconfig)
  puts "kubeclient #{Kubeclient::VERSION}"
  config = Kubeclient::Config.read(kubeconfig)
  admin = client_for(config, 'admin')
  runner = client_for(config, 'runner')

  check('discovery: api_valid? (GET /api lists v1)', admin.api_valid?)
  admin.discover
  missing = %i[get_pods watch_pods create_secret get_events get_namespaces].reject { |m| admin.respond_to?(m) }
  check('discovery: /api/v1 defines the entity methods', missing.empty?, missing)

  names = admin.get_namespaces.map { |ns| ns.metadata.name }.sort
  check('list namespaces has cicd and default', names.include?('cicd') && names.include?('default'), names)
  pods = admin.get_pods(namespace: 'cicd')
  check('list pods in cicd: empty, with a resourceVersion', pods.empty? && !pods.resourceVersion.to_s.empty?,
        [pods.size, pods.resourceVersion])

  secret = Kubeclient::Resource.new(metadata: { name: 'rb-secret', namespace: 'cicd' }, data: { a: 'Yg==' })
  created = admin.create_secret(secret)
  check('create secret cicd/rb-secret', created.metadata.name == 'rb-secret' && created.kind == 'Secret',
        created.to_h)
  read = admin.get_secret('rb-secret', 'cicd')
  value = Base64.decode64(read.data&.a.to_s)
  check('get secret: data a=b', value == 'b', read.to_h)
  read.data.a = Base64.strict_encode64('c')
  updated = admin.update_secret(read)
  check('update secret (PUT): data a=c, a new resourceVersion',
        Base64.decode64(updated.data.a) == 'c' && updated.metadata.resourceVersion != read.metadata.resourceVersion,
        updated.to_h)

  admin.create_secret(Kubeclient::Resource.new(metadata: { name: 'rb-secret-2', namespace: 'cicd' }))
  first = admin.get_secrets(namespace: 'cicd', limit: 1)
  rest = first.continue && admin.get_secrets(namespace: 'cicd', limit: 1, continue: first.continue)
  check('get_secrets(limit: 1): one secret and a continue token, then the other and none',
        first.map { |x| x.metadata.name } == ['rb-secret'] && rest&.map { |x| x.metadata.name } == ['rb-secret-2'] &&
          rest.continue.nil?, [first.map { |x| x.metadata.name }, first.continue, rest&.continue])
  admin.delete_secret('rb-secret-2', 'cicd')

  denied = http_error { runner.create_secret(Kubeclient::Resource.new(metadata: { name: 'rb-x', namespace: 'cicd' })) }
  check('runner create secret -> HttpError 403', denied && denied.error_code == 403, denied.inspect)
  check('runner create secret -> the Forbidden message', denied&.message == FORBIDDEN, denied&.message)

  missing_pod = http_error { admin.get_pod('rb-nope', 'cicd') }
  check('get a missing pod -> ResourceNotFoundError 404',
        missing_pod.is_a?(Kubeclient::ResourceNotFoundError) && missing_pod.error_code == 404, missing_pod.inspect)
  check('get a missing pod -> the NotFound message', missing_pod&.message == 'pods "rb-nope" not found',
        missing_pod&.message)

  # A watch from the list's resourceVersion, started before the pod exists; the scenario's pod_pending_seconds
  # pass in real time in serve mode.
  watcher, thread, notices = start_watch(admin, namespace: 'cicd', resource_version: pods.resourceVersion)
  admin.create_pod(pod('rb-pod'))
  seen = []
  await_notices(notices, seen) { |n| n.object.status&.phase == 'Running' }
  check('watch_pods: ADDED (Pending), then MODIFIED (Running)',
        seen == [%w[ADDED rb-pod Pending], %w[MODIFIED rb-pod Running]], seen)
  check('get pod: Running', admin.get_pod('rb-pod', 'cicd').status.phase == 'Running')

  events = admin.get_events(namespace: 'cicd').select { |e| e.involvedObject.name == 'rb-pod' }
  reasons = events.map(&:reason)
  # Each event is recorded at the instant it happens, named by that instant: the list is in time order.
  check('list events: the pod Scheduled, its image Pulling and Pulled, its container Created and Started, in order',
        reasons == %w[Scheduled Pulling Pulled Created Started], reasons)

  log = admin.get_pod_log('rb-pod', 'cicd', container: 'build')
  check('get_pod_log: the container wrote nothing yet (sleep)', log.to_s == '', log.to_s)
  previous = http_error { admin.get_pod_log('rb-pod', 'cicd', previous: true) }
  check("get_pod_log(previous: true) -> 400 with the kubelet's words",
        previous&.error_code == 400 &&
          previous.message == 'previous terminated container "build" in pod "rb-pod" not found', previous.inspect)

  deleted = admin.delete_pod('rb-pod', 'cicd')
  check('delete pod answers the pod', deleted.kind == 'Pod' && deleted.metadata.name == 'rb-pod', deleted.to_h)
  seen = []
  await_notices(notices, seen) { |n| n.type == 'DELETED' }
  check('watch_pods: the pod DELETED', seen.last&.first(2) == %w[DELETED rb-pod], seen)
  watcher.finish
  thread.join(5)

  admin.delete_secret('rb-secret', 'cicd')
  gone = http_error { admin.get_secret('rb-secret', 'cicd') }
  check('the deleted secret is gone (404)', gone&.error_code == 404, gone.inspect)
  $failures.empty? ? 0 : 1
end

if ARGV.size != 1
  warn 'usage: ruby_client.rb KUBECONFIG'
  exit 2
end
exit main(ARGV[0])
