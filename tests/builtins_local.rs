//! The built-in checks that need no server: the runtime's responsiveness, free disk
//! space and the process's memory, against their thresholds.

use std::time::Duration;

use healthcheck::checks::disk::{FreeSpace, Threshold};
use healthcheck::checks::memory::{Limit, MemoryUsage, Reading};
use healthcheck::checks::runtime::Responsive;
use healthcheck::{Check, HealthCheck, HealthStatus, Kind, checks};

fn registry(check: Check) -> HealthCheck {
    HealthCheck::builder()
        .linked_checks(false)
        .check(check.success_ttl(Duration::ZERO))
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_responsive_runtime_passes_as_a_liveness_check() {
    let check = checks::runtime::responsive("runtime");
    assert!(check.is(Kind::Liveness));
    let report = registry(check).run().await;
    let result = &report.results[0];
    assert_eq!(result.status, HealthStatus::Pass, "{}", result.output);
    assert_eq!(result.output, "the runtime is responsive: timer lag 0 ms");
    assert_eq!(result.details["observedUnit"], "ms");
}

#[tokio::test(flavor = "current_thread")]
async fn a_runtime_whose_thread_is_blocked_warns_then_fails() {
    for (blocked, expected) in [(300, HealthStatus::Warn), (1200, HealthStatus::Fail)] {
        let check =
            Check::checker("runtime", Responsive::default()).timeout(Duration::from_secs(5));
        let health = registry(check);
        // Another task blocks the only thread while the check's timer is set.
        let blocker = tokio::spawn(async move {
            tokio::task::yield_now().await;
            std::thread::sleep(Duration::from_millis(blocked));
        });
        let report = health.run().await;
        blocker.await.unwrap();
        let result = &report.results[0];
        assert_eq!(result.status, expected, "{}", result.output);
        assert!(result.output.contains("ms late"), "{}", result.output);
    }
}

#[tokio::test]
async fn free_space_is_judged_against_bytes_and_percent_thresholds() {
    let dir = std::env::temp_dir();
    let judged = |space: FreeSpace| async move {
        registry(Check::checker("disk", space)).run().await.results[0].clone()
    };
    let pass = judged(
        FreeSpace::new(&dir)
            .warn_below(Threshold::Percent(0.0))
            .fail_below(Threshold::Bytes(0)),
    )
    .await;
    assert_eq!(pass.status, HealthStatus::Pass, "{}", pass.output);
    assert!(pass.details["free_bytes"].as_u64().unwrap() > 0);
    assert!(
        pass.details["total_bytes"].as_u64().unwrap()
            >= pass.details["free_bytes"].as_u64().unwrap()
    );
    assert_eq!(pass.details["observedUnit"], "bytes");

    let warn = judged(
        FreeSpace::new(&dir)
            .warn_below(Threshold::Bytes(u64::MAX))
            .fail_below(Threshold::Bytes(0)),
    )
    .await;
    assert_eq!(warn.status, HealthStatus::Warn, "{}", warn.output);
    assert!(warn.output.ends_with("TiB free"), "{}", warn.output);

    let fail = judged(FreeSpace::new(&dir).fail_below(Threshold::Percent(100.1))).await;
    assert_eq!(fail.status, HealthStatus::Fail, "{}", fail.output);
    assert!(fail.output.contains("below 100.1% free"), "{}", fail.output);

    let missing = judged(FreeSpace::new("/no/such/path/anywhere")).await;
    assert_eq!(missing.status, HealthStatus::Fail);
    assert!(
        missing
            .output
            .starts_with("cannot read the free space of /no/such/path/anywhere: "),
        "{}",
        missing.output
    );
}

#[test]
fn memory_is_judged_against_the_containers_limit_or_bytes() {
    let usage = MemoryUsage::new();
    let mib = 1024 * 1024;
    let judged = |reading| usage.judge(reading);
    assert_eq!(
        judged(Reading {
            rss: 50 * mib,
            limit: Some(100 * mib)
        })
        .status,
        HealthStatus::Pass
    );
    let warn = judged(Reading {
        rss: 85 * mib,
        limit: Some(100 * mib),
    });
    assert_eq!(warn.status, HealthStatus::Warn);
    assert_eq!(
        warn.message,
        "85.0 MiB resident, 85% of the container's 100.0 MiB limit: above 80% of the limit"
    );
    assert_eq!(warn.details["percent_of_limit"], 85.0);
    assert_eq!(
        judged(Reading {
            rss: 96 * mib,
            limit: Some(100 * mib)
        })
        .status,
        HealthStatus::Fail
    );
    // Without a container limit, percentages never trip; bytes do.
    assert_eq!(
        judged(Reading {
            rss: 96 * mib,
            limit: None
        })
        .status,
        HealthStatus::Pass
    );
    let capped = MemoryUsage::new().fail_above(Limit::Bytes(10 * mib));
    assert_eq!(
        capped
            .judge(Reading {
                rss: 11 * mib,
                limit: None
            })
            .status,
        HealthStatus::Fail
    );
}

#[test]
fn memory_is_read_from_proc_and_the_cgroup_v2_limit() {
    let root = std::env::temp_dir().join(format!("healthcheck-memory-{}", std::process::id()));
    let proc_self = root.join("proc/self");
    let group = root.join("cgroup/kubepods/pod1");
    std::fs::create_dir_all(&proc_self).unwrap();
    std::fs::create_dir_all(&group).unwrap();
    std::fs::write(proc_self.join("status"), "Name:\tapp\nVmRSS:\t   2048 kB\n").unwrap();
    std::fs::write(proc_self.join("cgroup"), "0::/kubepods/pod1\n").unwrap();
    std::fs::write(group.join("memory.max"), "4194304\n").unwrap();
    let usage = MemoryUsage::new().roots(root.join("proc"), root.join("cgroup"));
    assert_eq!(
        usage.read().unwrap(),
        Reading {
            rss: 2 * 1024 * 1024,
            limit: Some(4 * 1024 * 1024)
        }
    );
    std::fs::write(group.join("memory.max"), "max\n").unwrap();
    assert_eq!(usage.read().unwrap().limit, None, "`max` is no limit");
    std::fs::remove_dir_all(&root).unwrap();

    // And this process, for real.
    let real = MemoryUsage::new().read().unwrap();
    assert!(real.rss > 0);
}
