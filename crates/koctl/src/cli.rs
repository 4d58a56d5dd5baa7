//! The command line, as clap sees it.

use anyhow::{Result, anyhow};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// koctl — plan, deploy and operate Kubernetes clusters from this machine (KubeOperator Desktop, headless).
#[derive(Debug, Parser)]
#[command(version, propagate_version = true, max_term_width = 110)]
pub struct Cli {
    /// Options for every command.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options for every command.
#[derive(Debug, Args)]
pub struct Global {
    /// Data dir (database, logs). Default: the platform's app-data dir.
    #[arg(long, global = true, env = "KO_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Output format.
    #[arg(short = 'o', long = "output", global = true, value_enum, default_value_t = Format::Table)]
    pub output: Format,
    /// Act as this stored user instead of the OS account (to check what a role may do).
    #[arg(long = "as", global = true, value_name = "USER", env = "KO_USER")]
    pub act_as: Option<String>,
    /// Where a new data dir keeps its secrets: the OS keychain, an encrypted vault file, or
    /// (auto) the keychain when one answers, else the vault. Recorded with the data dir.
    #[arg(long, global = true, env = "KO_SECRETS", default_value = "auto", value_name = "auto|keychain|vault")]
    pub secrets: ko_api::SecretsChoice,
    /// A file whose first line is the vault's passphrase (systemd: the credential
    /// `ko-vault-passphrase` is read without this option). Without either, koctl asks on the
    /// terminal and `koctl serve` waits for an administrator to unlock the vault in the UI.
    #[arg(long, global = true, env = "KO_VAULT_PASSPHRASE_FILE", value_name = "FILE")]
    pub vault_passphrase_file: Option<PathBuf>,
}

impl Global {
    /// The data dir in force.
    pub fn data_dir(&self) -> Result<PathBuf> {
        match &self.data_dir {
            Some(d) => Ok(d.clone()),
            None => ko_api::default_data_dir()
                .ok_or_else(|| anyhow!("this platform has no app-data dir; pass --data-dir or set KO_DATA_DIR")),
        }
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// JSON for scripts.
    Json,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Data dir, schema version, keychain and counts, and what to do next.
    Status,
    /// SSH credentials (secrets go to the OS keychain).
    #[command(subcommand)]
    Credential(CredentialCmd),
    /// Hosts: registered over SSH with a pinned host key, described by their facts.
    #[command(subcommand)]
    Host(HostCmd),
    /// Offline bundles: build, sign, verify, import.
    #[command(subcommand)]
    Bundle(BundleCmd),
    /// Projects.
    #[command(subcommand)]
    Project(ProjectCmd),
    /// Users.
    #[command(subcommand)]
    User(UserCmd),
    /// Project members and their roles.
    #[command(subcommand)]
    Member(MemberCmd),
    /// System settings.
    #[command(subcommand)]
    Setting(SettingCmd),
    /// Kubernetes versions available for new clusters.
    #[command(subcommand)]
    Version(VersionCmd),
    /// Regions of auto mode: a vSphere endpoint's datacenter (its certificate pinned).
    #[command(subcommand)]
    Region(RegionCmd),
    /// IP pools of auto mode: the addresses VMs are given, each with its state.
    #[command(subcommand, name = "ip-pool")]
    IpPool(IpPoolCmd),
    /// Where secrets are kept: the encrypted vault's passphrase.
    #[command(subcommand)]
    Secrets(SecretsCmd),
    /// Clusters: create (precheck -> bundle -> base -> runtime -> etcd), back up, restore, reset.
    #[command(subcommand)]
    Cluster(ClusterCmd),
    /// Inside a cluster, through its API server: live views of every kind, an object's YAML,
    /// apply (the diff first), cordon / drain nodes, delete pods, restart and scale workloads.
    ///
    /// Example: koctl kube prod get pods -n default --watch
    Kube {
        /// Cluster name (created or imported).
        cluster: String,
        /// What to do.
        #[command(subcommand)]
        cmd: KubeCmd,
    },
    /// Tasks: the journal of every operation; logs, retry (resumes where it stopped), cancel.
    #[command(subcommand)]
    Task(TaskCmd),
    /// Serve the API over HTTP for the browser UI (log in as a stored user; the first start
    /// creates `admin`, whose default password must be changed at the first login).
    Serve {
        /// Address to listen on (port 0: any free port; the URL is printed first).
        #[arg(long, default_value = "127.0.0.1:7780")]
        listen: std::net::SocketAddr,
        /// The built web UI to serve at `/` (`frontend/dist` after `npm run build`).
        #[arg(long, env = "KO_UI_DIR", value_name = "DIR")]
        ui: Option<PathBuf>,
        /// Probe every cluster's API server this often (seconds; 0: never): a running cluster
        /// that stops answering turns `lost`, and `running` again when it answers.
        #[arg(long, value_name = "SECONDS", default_value_t = 60)]
        health_every: u64,
    },
    /// The system (audit) log.
    #[command(subcommand)]
    Audit(AuditCmd),
}

/// `koctl kube CLUSTER ...`
#[derive(Debug, Subcommand)]
pub enum KubeCmd {
    /// List objects of a kind (nodes, namespaces, pods, deployments, stateful_sets, daemon_sets,
    /// jobs, cron_jobs, services, ingresses, persistent_volumes, persistent_volume_claims,
    /// config_maps, secrets — names only —, events; kubectl's short names work too); `--watch`
    /// goes on printing every change.
    ///
    /// Example: koctl kube prod get sts -n db
    Get {
        /// The kind.
        kind: String,
        /// Only this namespace (default: all).
        #[arg(short, long)]
        namespace: Option<String>,
        /// Keep printing changes (Ctrl-C stops).
        #[arg(short, long)]
        watch: bool,
    },
    /// Print one object as YAML (a secret's values only with --reveal, which is audited).
    ///
    /// Example: koctl kube prod yaml deploy web -n default
    Yaml {
        /// The kind.
        kind: String,
        /// The object's name.
        object: String,
        /// Its namespace.
        #[arg(short, long)]
        namespace: Option<String>,
        /// Show a secret's values.
        #[arg(long)]
        reveal: bool,
    },
    /// Server-side apply YAML (field manager kubeoperator-desktop): prints each object's diff;
    /// with --plan changes nothing.
    ///
    /// Example: koctl kube prod apply -f app.yaml --plan
    Apply {
        /// The YAML file; `-` reads stdin.
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        file: PathBuf,
        /// Namespace of objects that name none.
        #[arg(short, long, default_value = "default")]
        namespace: String,
        /// Only show what would change.
        #[arg(long)]
        plan: bool,
    },
    /// Mark a node unschedulable.
    Cordon {
        /// Node name.
        node: String,
    },
    /// Mark a node schedulable again.
    Uncordon {
        /// Node name.
        node: String,
    },
    /// Cordon a node and evict its pods (DaemonSet and static pods stay; evictions a disruption
    /// budget refuses are tried again for up to two minutes).
    Drain {
        /// Node name.
        node: String,
    },
    /// Print a pod's container log; `-f` follows it (Ctrl-C stops).
    ///
    /// Example: koctl kube prod logs default/db-0 --previous
    Logs {
        /// NAMESPACE/POD.
        pod: String,
        /// The container (needed when the pod has several).
        #[arg(short, long)]
        container: Option<String>,
        /// Keep printing new lines.
        #[arg(short, long)]
        follow: bool,
        /// The previous instance's log (of a container that restarted).
        #[arg(long)]
        previous: bool,
        /// Only lines of the last so many seconds.
        #[arg(long, value_name = "SECONDS")]
        since: Option<i64>,
        /// Only the last so many lines.
        #[arg(long, value_name = "N")]
        tail: Option<i64>,
        /// Each line with its time first.
        #[arg(long)]
        timestamps: bool,
    },
    /// List a pod's containers (init containers first) with their state.
    Containers {
        /// NAMESPACE/POD.
        pod: String,
    },
    /// Run a command in a pod's container and exit with its exit code; its standard output and
    /// error come back apart. With -i this command's standard input is the container's (for an
    /// interactive shell with a terminal, use the app's Shell button or the kubectl terminal).
    ///
    /// Example: koctl kube prod exec default/web-0 -c web -- cat /etc/os-release
    Exec {
        /// NAMESPACE/POD.
        pod: String,
        /// The container (needed when the pod has several).
        #[arg(short, long)]
        container: Option<String>,
        /// Pass standard input to the command (until it ends).
        #[arg(short = 'i', long = "stdin")]
        stdin: bool,
        /// The program and its arguments, after `--`.
        #[arg(last = true, required = true, value_name = "COMMAND")]
        command: Vec<String>,
    },
    /// Delete a pod (its controller makes a new one).
    ///
    /// Example: koctl kube prod delete-pod default/web-5d4f8c7b9-x2k4p
    DeletePod {
        /// NAMESPACE/POD.
        pod: String,
    },
    /// Restart a Deployment's, StatefulSet's or DaemonSet's pods (as kubectl rollout restart).
    ///
    /// Example: koctl kube prod restart deployment default/web
    Restart {
        /// deployment, stateful_set or daemon_set.
        kind: String,
        /// NAMESPACE/NAME.
        workload: String,
    },
    /// Set a Deployment's or StatefulSet's replicas.
    ///
    /// Example: koctl kube prod scale deployment default/web --replicas 5
    Scale {
        /// deployment or stateful_set.
        kind: String,
        /// NAMESPACE/NAME.
        workload: String,
        /// The replicas it is to have.
        #[arg(long)]
        replicas: i32,
    },
}

/// `koctl credential ...`
#[derive(Debug, Subcommand)]
pub enum CredentialCmd {
    /// Add a credential: a password or a private key, plus an optional sudo password.
    ///
    /// Secrets are read from stdin, one per line, in this order: password, key passphrase, sudo password.
    Add {
        /// Credential name.
        #[arg(long)]
        name: String,
        /// SSH login user.
        #[arg(long, default_value = "root")]
        username: String,
        /// Read the login password from stdin.
        #[arg(long, conflicts_with = "key_file", required_unless_present_any = ["key_file", "agent"])]
        password_stdin: bool,
        /// Private key file (OpenSSH or PEM; Ed25519, ECDSA, RSA).
        #[arg(long, value_name = "FILE")]
        key_file: Option<PathBuf>,
        /// Use the keys of the ssh-agent (SSH_AUTH_SOCK, or --agent-socket).
        #[arg(long, conflicts_with_all = ["key_file", "password_stdin"])]
        agent: bool,
        /// The ssh-agent's socket (default: SSH_AUTH_SOCK when connecting).
        #[arg(long, requires = "agent", value_name = "PATH")]
        agent_socket: Option<String>,
        /// Read the key's passphrase from stdin.
        #[arg(long, requires = "key_file")]
        passphrase_stdin: bool,
        /// Read the sudo password from stdin (when it is not the login password).
        #[arg(long)]
        sudo_password_stdin: bool,
    },
    /// List credentials (never their secrets).
    List,
    /// Show one credential and whether its secret is in the keychain.
    Show {
        /// Credential name.
        name: String,
    },
    /// Remove a credential that no host uses (row and keychain entry).
    Rm {
        /// Credential name.
        name: String,
    },
}

/// How to trust a host key.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct TrustArgs {
    /// Accept whatever key the host presents now (only on a network you trust).
    #[arg(long)]
    pub trust_on_first_use: bool,
    /// Accept only the key with this fingerprint (as `ssh-keygen -lf` prints it).
    #[arg(long, value_name = "SHA256:...")]
    pub fingerprint: Option<String>,
    /// Accept the key recorded for the host in this OpenSSH known_hosts file.
    #[arg(long, value_name = "FILE")]
    pub known_hosts: Option<PathBuf>,
}

/// `koctl host ...`
#[derive(Debug, Subcommand)]
pub enum HostCmd {
    /// Register a host: connect, pin its key, log in, gather facts.
    ///
    /// Without a trust option the host key's fingerprint is shown and, on a terminal, confirmed.
    Add {
        /// Host name.
        #[arg(long)]
        name: String,
        /// IP address or DNS name.
        #[arg(long)]
        address: String,
        /// SSH port.
        #[arg(long, default_value_t = 22)]
        port: u16,
        /// Credential to log in with.
        #[arg(long)]
        credential: String,
        /// Registered host to jump through.
        #[arg(long, value_name = "HOST")]
        jump: Option<String>,
        /// How to trust its key.
        #[command(flatten)]
        trust: TrustArgs,
    },
    /// List hosts: IP, CPU, memory, OS, arch, status.
    List,
    /// Show a host with all its facts.
    Show {
        /// Host name.
        name: String,
    },
    /// Connect again and gather facts (hosts in parallel).
    Refresh {
        /// Host names.
        names: Vec<String>,
        /// Every host.
        #[arg(long, conflicts_with = "names")]
        all: bool,
    },
    /// Pin a host's key deliberately (after it changed).
    Trust {
        /// Host name.
        name: String,
        /// How to trust its key.
        #[command(flatten)]
        trust: TrustArgs,
    },
    /// Remove a host that no cluster uses.
    Rm {
        /// Host name.
        name: String,
    },
    /// Add hosts from a CSV file: name,address,port,credential[,jump[,fingerprint]].
    Import {
        /// CSV file; `-` reads stdin.
        #[arg(short = 'f', long = "file")]
        file: PathBuf,
        /// Accept the keys of rows without a fingerprint as presented.
        #[arg(long)]
        trust_on_first_use: bool,
    },
}

/// `koctl bundle ...`
#[derive(Debug, Subcommand)]
pub enum BundleCmd {
    /// Build a bundle from a recipe (bundles/*.toml): from a directory of files, or downloading them.
    Build {
        /// Recipe file.
        recipe: PathBuf,
        /// Architectures to include (comma-separated: amd64,arm64).
        #[arg(long, value_delimiter = ',', required = true)]
        arch: Vec<String>,
        /// Take the files from this directory instead of downloading them (into DATA_DIR/downloads).
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,
        /// Output zip (`-o` is the global output format, hence the long name).
        #[arg(long = "out", value_name = "OUT.zip")]
        out: PathBuf,
        /// Download from an internal mirror instead: FROM=TO rewrites locations starting with FROM
        /// (a URL like https://dl.k8s.io, a host like github.com, or a registry like
        /// registry.k8s.io) to TO; repeatable; checksums are still checked against the recipe.
        #[arg(long, value_name = "FROM=TO")]
        mirror: Vec<String>,
        /// Make a delta on top of this bundle (one the receiving side has imported): only the
        /// files it lacks go into the zip, which imports only where that bundle is.
        #[arg(long, value_name = "OLD.zip")]
        base: Option<PathBuf>,
    },
    /// Make a delta bundle: NEW's files that OLD lacks, importable only on top of OLD (unsigned
    /// until you sign it).
    Diff {
        /// The bundle the receiving side has.
        old: PathBuf,
        /// The bundle it should get.
        new: PathBuf,
        /// Output zip.
        #[arg(long = "out", value_name = "DELTA.zip")]
        out: PathBuf,
        /// Accept an unsigned NEW.
        #[arg(long)]
        allow_unsigned: bool,
    },
    /// What a build of a recipe would hold (files, components, arches, how each is pinned),
    /// without downloading anything.
    Plan {
        /// Recipe file.
        recipe: PathBuf,
        /// Architectures to include (comma-separated: amd64,arm64).
        #[arg(long, value_delimiter = ',', default_value = "amd64,arm64")]
        arch: Vec<String>,
    },
    /// Make a signing key: private half to the OS keychain, public half trusted and printed.
    Keygen {
        /// Key name.
        #[arg(long)]
        name: String,
    },
    /// Sign a bundle with a key made by `bundle keygen`.
    Sign {
        /// Bundle zip.
        file: PathBuf,
        /// Key name.
        #[arg(long)]
        key: String,
    },
    /// Check a bundle: signature, every file's SHA-256, safe paths.
    Verify {
        /// Bundle zip.
        file: PathBuf,
        /// Accept a bundle no trusted key signed.
        #[arg(long)]
        allow_unsigned: bool,
    },
    /// Verify a bundle and add it to the library; its Kubernetes version becomes available.
    Import {
        /// Bundle zip.
        file: PathBuf,
        /// Accept a bundle no trusted key signed.
        #[arg(long)]
        allow_unsigned: bool,
    },
    /// Push a library bundle into the hosts' content-addressed stores (skips what they have).
    Push {
        /// Bundle name.
        name: String,
        /// Hosts to push to.
        #[arg(long = "host", required = true, value_name = "HOST")]
        hosts: Vec<String>,
        /// Send each file once, to this seed host, which copies to the others (inside the cluster
        /// network, so this machine's uplink carries every byte once).
        #[arg(long, value_name = "SEED")]
        relay: Option<String>,
    },
    /// List the bundles in the library.
    List,
    /// Remove a bundle from the library.
    Rm {
        /// Bundle name.
        name: String,
    },
    /// Public keys whose signatures are trusted.
    #[command(subcommand)]
    Trust(TrustCmd),
}

/// `koctl bundle trust ...`
#[derive(Debug, Subcommand)]
pub enum TrustCmd {
    /// Trust bundles signed with this public key.
    Add {
        /// Name for the key.
        #[arg(long)]
        name: String,
        /// base64 ed25519 public key (as `bundle keygen` prints it).
        #[arg(long)]
        public_key: String,
    },
    /// List trusted keys.
    List,
    /// Stop trusting a key.
    Rm {
        /// Key name.
        name: String,
    },
}

/// `koctl project ...`
#[derive(Debug, Subcommand)]
pub enum ProjectCmd {
    /// Create a project.
    Add {
        /// Project name.
        #[arg(long)]
        name: String,
        /// Description.
        #[arg(long, default_value = "")]
        description: String,
    },
    /// List the projects you may see.
    List,
    /// Show a project with its members and clusters.
    Show {
        /// Project name.
        name: String,
    },
    /// Delete a project without clusters.
    Rm {
        /// Project name.
        name: String,
    },
}

/// `koctl user ...`
#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Add a local user; the password is read from stdin.
    Add {
        /// Login name.
        #[arg(long)]
        name: String,
        /// E-mail address.
        #[arg(long, default_value = "")]
        email: String,
        /// Make the user a system administrator.
        #[arg(long)]
        admin: bool,
        /// Read the password from stdin (required).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List users.
    List,
    /// Remove a user.
    Rm {
        /// Login name.
        name: String,
    },
    /// Allow a user to act again.
    Enable {
        /// Login name.
        name: String,
    },
    /// Stop a user from acting.
    Disable {
        /// Login name.
        name: String,
    },
    /// Set a user's password (read from stdin).
    Passwd {
        /// Login name.
        name: String,
        /// Read the password from stdin (required).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

/// `koctl member ...`
#[derive(Debug, Subcommand)]
pub enum MemberCmd {
    /// Add a member to a project, or change their role.
    Add {
        /// Project name.
        #[arg(long)]
        project: String,
        /// User name.
        #[arg(long)]
        user: String,
        /// project_admin or cluster_admin.
        #[arg(long)]
        role: String,
    },
    /// List a project's members.
    List {
        /// Project name.
        #[arg(long)]
        project: String,
    },
    /// Remove a member from a project.
    Rm {
        /// Project name.
        #[arg(long)]
        project: String,
        /// User name.
        #[arg(long)]
        user: String,
    },
}

/// `koctl secrets ...`
#[derive(Debug, Subcommand)]
pub enum SecretsCmd {
    /// Give the secrets vault a new passphrase (every secret re-encrypted). The current one comes
    /// as usual (--vault-passphrase-file, the systemd credential, or the terminal).
    Passphrase {
        /// A file whose first line is the new passphrase; without it the terminal asks, twice.
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
}

/// `koctl setting ...`
#[derive(Debug, Subcommand)]
pub enum SettingCmd {
    /// Package repositories per CPU architecture.
    #[command(subcommand)]
    Repo(RepoCmd),
    /// NTP servers the nodes synchronise with.
    #[command(subcommand)]
    Ntp(NtpCmd),
}

/// `koctl setting repo ...`
#[derive(Debug, Subcommand)]
pub enum RepoCmd {
    /// Set the repository of one architecture.
    Set {
        /// amd64 or arm64.
        #[arg(long)]
        arch: String,
        /// Host name or IP.
        #[arg(long)]
        hostname: String,
        /// http or https.
        #[arg(long, default_value = "http")]
        protocol: String,
        /// Package repository port.
        #[arg(long, default_value_t = 8081)]
        repo_port: u16,
        /// Container registry port.
        #[arg(long)]
        registry_port: Option<u16>,
    },
    /// List repositories.
    List,
    /// Remove the repository of one architecture.
    Rm {
        /// amd64 or arm64.
        #[arg(long)]
        arch: String,
    },
}

/// `koctl setting ntp ...`
#[derive(Debug, Subcommand)]
pub enum NtpCmd {
    /// Add an NTP server.
    Add {
        /// Name.
        #[arg(long)]
        name: String,
        /// Host name or IP.
        #[arg(long)]
        address: String,
    },
    /// List NTP servers.
    List,
    /// Use an NTP server again.
    Enable {
        /// Name.
        name: String,
    },
    /// Stop using an NTP server.
    Disable {
        /// Name.
        name: String,
    },
    /// Remove an NTP server.
    Rm {
        /// Name.
        name: String,
    },
}

/// `koctl version ...`
#[derive(Debug, Subcommand)]
pub enum VersionCmd {
    /// List versions, newest first.
    List,
    /// Allow new clusters to use a version.
    Enable {
        /// e.g. v1.34.1
        #[arg(value_name = "VERSION")]
        name: String,
    },
    /// Stop new clusters from using a version.
    Disable {
        /// e.g. v1.34.1
        #[arg(value_name = "VERSION")]
        name: String,
    },
}

/// `koctl cluster ...`
#[derive(Debug, Subcommand)]
pub enum ClusterCmd {
    /// Check a cluster file against every rule and print all problems at once.
    Validate {
        /// Cluster file (YAML or JSON); `-` reads stdin.
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        file: PathBuf,
    },
    /// Create a cluster on registered hosts: precheck (stops before any change if a check fails),
    /// bundle push, base, runtime, load balancer, etcd, Kubernetes components, control plane,
    /// joins, network, add-ons, post. Ctrl-C cancels; `koctl task retry ID` resumes.
    Create {
        /// Cluster file (YAML or JSON); `-` reads stdin.
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        file: PathBuf,
        /// Print exactly what would run on which host (secrets redacted) and touch nothing.
        #[arg(long)]
        plan: bool,
        /// With --plan: plan against what a build of this recipe (bundles/*.toml) would hold,
        /// instead of a bundle of the library — nothing is downloaded.
        #[arg(long, value_name = "RECIPE", requires = "plan")]
        recipe: Option<PathBuf>,
        /// Stop after this phase (precheck, bundle, base, runtime, loadbalancer, etcd, kubernetes,
        /// control-plane, join, network, addons, post): the cluster is then `staged`, and
        /// `cluster deploy` continues.
        #[arg(long, value_name = "PHASE")]
        until: Option<String>,
        /// Also print every output line of the hosts.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Continue a staged cluster (`create --until`): the phases after the last one done.
    Deploy {
        /// Cluster name.
        name: String,
        /// Stop after this phase again.
        #[arg(long, value_name = "PHASE")]
        until: Option<String>,
        /// Also print every output line of the hosts.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Add registered hosts to a running cluster as workers: only they run the node phases
    /// (precheck, bundle, base, runtime, load balancer, Kubernetes components, join, post).
    AddWorker {
        /// Cluster name.
        name: String,
        /// A host to add (repeat for several).
        #[arg(long = "host", value_name = "HOST", required = true)]
        hosts: Vec<String>,
        /// Availability zone of the new nodes.
        #[arg(long)]
        zone: Option<String>,
        /// Print exactly what would run on which host and touch nothing.
        #[arg(long)]
        plan: bool,
        /// Also print every output line of the hosts.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Remove a worker from a running cluster: cordon, drain and delete it, then reset its host.
    RemoveWorker {
        /// Cluster name.
        name: String,
        /// The worker's host.
        #[arg(long = "host", value_name = "HOST")]
        host: String,
        /// The host is down for good: it is not contacted (nor reset).
        #[arg(long)]
        down: bool,
        /// Print exactly what would run on which host and touch nothing.
        #[arg(long)]
        plan: bool,
        /// Also print every output line of the hosts.
        #[arg(short, long)]
        verbose: bool,
    },
    /// The expiry dates of the cluster's certificates as the last check found them; `--check`
    /// collects them from the hosts first.
    Certs {
        /// Cluster name.
        name: String,
        /// Collect the certificates from the hosts now.
        #[arg(long)]
        check: bool,
    },
    /// Renew the cluster's etcd and Kubernetes certificates (members and masters restarted one at
    /// a time), then collect them again.
    RenewCerts {
        /// Cluster name.
        name: String,
        /// Print exactly what would run on which host and touch nothing.
        #[arg(long)]
        plan: bool,
        /// Also print every output line of the hosts.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Add registered hosts to a running cluster as masters (etcd members too when the masters
    /// carry etcd): the node phases and the control-plane join on them, the load balancers and
    /// API servers refreshed everywhere.
    AddMaster {
        /// Cluster name.
        name: String,
        /// A host to add (repeat for several).
        #[arg(long = "host", value_name = "HOST", required = true)]
        hosts: Vec<String>,
        /// The master this one will replace (removed next with `remove-master`); the etcd
        /// membership is judged as it will be after that.
        #[arg(long, value_name = "HOST")]
        replacing: Option<String>,
        /// A node known to be down for good (the one being replaced, say): not contacted.
        #[arg(long = "down", value_name = "HOST")]
        down: Vec<String>,
        /// Print exactly what would run on which host and touch nothing.
        #[arg(long)]
        plan: bool,
        /// Also print every output line of the hosts.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Remove a master from a running cluster: drained and deleted, out of etcd, the load
    /// balancers and API servers refreshed without it, its host reset.
    RemoveMaster {
        /// Cluster name.
        name: String,
        /// The master's host.
        #[arg(long = "host", value_name = "HOST")]
        host: String,
        /// The host is down for good: it is not contacted (nor reset).
        #[arg(long)]
        down: bool,
        /// Print exactly what would run on which host and touch nothing.
        #[arg(long)]
        plan: bool,
        /// Also print every output line of the hosts.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Replace master OLD with host NEW in one resumable task: NEW joins (etcd member and
    /// control-plane join), then OLD leaves (drained, out of etcd, its host reset).
    ReplaceMaster {
        /// Cluster name.
        name: String,
        /// The master to replace.
        #[arg(long, value_name = "HOST")]
        old: String,
        /// The registered host that takes its place.
        #[arg(long, value_name = "HOST")]
        new: String,
        /// The old master is down for good: it is not contacted (nor reset).
        #[arg(long)]
        old_down: bool,
        /// Print what would run on which host; change nothing.
        #[arg(long)]
        plan: bool,
        /// Also print every output line of the hosts.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Upgrade a running cluster's Kubernetes (one minor version at a time): an etcd snapshot
    /// fetched here first, the new bundle pushed, masters one at a time, workers in drained batches.
    Upgrade {
        /// Cluster name.
        name: String,
        /// The version to go to, e.g. v1.35.4 (a bundle of it must be in the library).
        #[arg(long, value_name = "VERSION")]
        to: String,
        /// Workers upgraded at a time.
        #[arg(long, default_value_t = 1)]
        batch: usize,
        /// Print what changes and exactly what would run, and touch nothing.
        #[arg(long)]
        plan: bool,
        /// Also print every output line of the hosts.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Import a cluster the app did not create, from a kubeconfig (default: `$KUBECONFIG`, else
    /// `~/.kube/config`; its current context unless `--context`) or from `--server`, `--ca` and
    /// `--token-file`. The API server is asked first (TLS, credential, version, nodes); the
    /// credential is kept in the OS keychain. Imported clusters are viewed and probed, not
    /// deployed to.
    ///
    /// Example: koctl cluster import prod --kubeconfig ./prod.yaml --context admin@prod
    Import {
        /// Its name in the app.
        name: String,
        /// Project it belongs to.
        #[arg(long, default_value = "default")]
        project: String,
        /// Kubeconfig file (files it names are read too).
        #[arg(long, value_name = "FILE", conflicts_with = "server")]
        kubeconfig: Option<PathBuf>,
        /// The kubeconfig's context to import.
        #[arg(long, value_name = "NAME", conflicts_with = "server")]
        context: Option<String>,
        /// API server URL (https://host:port), instead of a kubeconfig.
        #[arg(long, value_name = "URL", requires = "token_file")]
        server: Option<String>,
        /// With --server: the CA certificate (PEM) its certificate chains to (default: the
        /// system's roots).
        #[arg(long, value_name = "FILE", requires = "server")]
        ca: Option<PathBuf>,
        /// With --server: a file holding the bearer token; `-` reads stdin.
        #[arg(long, value_name = "FILE", requires = "server")]
        token_file: Option<PathBuf>,
    },
    /// Probe the cluster's API server now: readiness checks (etcd among them), nodes, system
    /// pods, serving certificate. Without a name: every cluster with an API server, one line
    /// each, lost ones first. Exits 1 when one does not answer or something is unwell.
    Health {
        /// Cluster name (none: all).
        name: Option<String>,
    },
    /// List clusters.
    List,
    /// A cluster: nodes, latest tasks, backups.
    Show {
        /// Cluster name.
        name: String,
    },
    /// Print (or write, root-only) the cluster's kubeconfig: cluster-admin through the `ko-admin`
    /// token kept in the OS keychain.
    Kubeconfig {
        /// Cluster name.
        name: String,
        /// Write it to this file (mode 0600) instead of printing it.
        #[arg(long, value_name = "PATH")]
        file: Option<PathBuf>,
    },
    /// Take an etcd snapshot and keep it on this machine as a backup file.
    Backup {
        /// Cluster name.
        name: String,
    },
    /// List a cluster's backup files.
    Backups {
        /// Cluster name.
        name: String,
    },
    /// Restore etcd on every member from a backup file.
    Restore {
        /// Cluster name.
        name: String,
        /// Backup file name (see `koctl cluster backups`).
        backup: String,
    },
    /// Remove what the deployment put on the cluster's hosts.
    Reset {
        /// Cluster name.
        name: String,
        /// Print exactly what would run on which host and touch nothing.
        #[arg(long)]
        plan: bool,
    },
    /// Forget a cluster (its certificates and backup files too); `--reset` cleans its hosts first.
    Delete {
        /// Cluster name.
        name: String,
        /// Reset the hosts first.
        #[arg(long)]
        reset: bool,
    },
}

/// `koctl task ...`
#[derive(Debug, Subcommand)]
pub enum TaskCmd {
    /// List tasks, newest first.
    List {
        /// Only this cluster's.
        #[arg(long)]
        cluster: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// A task: its phases and every step on every host (and the precheck table, if it has one).
    Show {
        /// Task id.
        id: i64,
    },
    /// The output of a task's steps.
    Logs {
        /// Task id.
        id: i64,
        /// Keep printing new lines until the task ends.
        #[arg(short, long)]
        follow: bool,
    },
    /// Run a failed, cancelled or interrupted task again: finished steps are not run again.
    Retry {
        /// Task id.
        id: i64,
        /// Also print every output line of the hosts.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Stop a running task (its remote commands are killed).
    Cancel {
        /// Task id.
        id: i64,
    },
}

/// `koctl audit ...`
#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// List entries, newest first.
    List {
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Only this user's.
        #[arg(long)]
        user: Option<String>,
        /// Only actions starting with this (e.g. `credential`).
        #[arg(long)]
        action: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}

/// `koctl ip-pool ...`
#[derive(Debug, Subcommand)]
pub enum IpPoolCmd {
    /// List the pools with their ranges and usage.
    List,
    /// A pool with each address's state and holder.
    Show {
        /// Pool name.
        name: String,
    },
    /// Add a pool.
    ///
    /// Example: koctl ip-pool add dc1 --subnet 10.1.0.0/24 --gateway 10.1.0.1 --range 10.1.0.10-10.1.0.200 --dns 10.1.0.2
    Add {
        /// Pool name.
        name: String,
        /// The subnet (CIDR).
        #[arg(long)]
        subnet: String,
        /// The VMs' default gateway.
        #[arg(long)]
        gateway: String,
        /// A range handed to VMs (`A-B` or one address); repeat for several.
        #[arg(long = "range", required = true)]
        ranges: Vec<String>,
        /// A DNS server; repeat for several.
        #[arg(long = "dns")]
        dns: Vec<String>,
        /// Free text.
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Add a range of addresses to a pool.
    AddRange {
        /// Pool name.
        name: String,
        /// `A-B` or one address.
        range: String,
    },
    /// Keep a free address from ever being handed to a VM.
    Lock {
        /// Pool name.
        name: String,
        /// The address.
        address: String,
    },
    /// Make a locked address available again.
    Unlock {
        /// Pool name.
        name: String,
        /// The address.
        address: String,
    },
    /// Remove a pool (no zone may use it, no host hold one of its addresses).
    Rm {
        /// Pool name.
        name: String,
    },
}

/// `koctl region ...`
#[derive(Debug, Subcommand)]
pub enum RegionCmd {
    /// Print the SHA-256 fingerprint of the certificate an endpoint presents (check it with its
    /// administrator before adding the region with it).
    Fingerprint {
        /// Host name or address.
        host: String,
        /// HTTPS port.
        #[arg(long, default_value_t = 443)]
        port: u16,
    },
    /// Add a region: logs in (the certificate must have --fingerprint) and finds the datacenter.
    /// The password is read from stdin and kept in the secret store.
    ///
    /// Example: printf '%s\n' "$PASSWORD" | koctl region add dc1 --host vc.example --user admin@vsphere.local --password-stdin --fingerprint AB:CD:... --datacenter DC1
    Add {
        /// Region name.
        name: String,
        /// vsphere (OpenStack and FusionCompute: not yet).
        #[arg(long, default_value = "vsphere")]
        provider: String,
        /// The vCenter's host name or address.
        #[arg(long)]
        host: String,
        /// Its HTTPS port.
        #[arg(long, default_value_t = 443)]
        port: u16,
        /// The user.
        #[arg(long)]
        user: String,
        /// Read the password from stdin (the only way: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// The certificate's fingerprint, from `koctl region fingerprint`.
        #[arg(long)]
        fingerprint: String,
        /// The datacenter this region is.
        #[arg(long)]
        datacenter: String,
    },
    /// List the regions.
    List,
    /// Log in now: the product, its datacenters, and what the region's datacenter offers a zone.
    Check {
        /// Region name.
        name: String,
    },
    /// Remove a region no zone uses.
    Rm {
        /// Region name.
        name: String,
    },
}
