// Job DSL (job-dsl plugin) seed for lakepipe's Jenkins jobs: run it from a seed job whose SCM is this
// repository, with two string parameters: LAKEPIPE_REPO (the https clone URL) and LAKEPIPE_CREDENTIALS
// (the Git credentials id). They reach this script as plain variables (reading the binding's map instead
// needs script approval in the sandbox). See docs/delivery.md for the plugins, agents and AWS roles.

// The shared library version every job loads: a tag, moved only by a reviewed change of this line
// (library changes are tested on their branch by the pipeline unit tests, jenkins/test, in npm test).
final String LIBRARY_VERSION = 'lakepipe-lib-1.0.0'
final String REPO = LAKEPIPE_REPO
final String CREDENTIALS = LAKEPIPE_CREDENTIALS
final List<String> SERVICES = ['sourcing', 'spark-etl', 'sagemaker-scoring', 'view']
final Map<String, String> NIGHTLY = [dev: 'H 1 * * *', prod: 'H 3 * * *']
final Map<String, String> DRIFT = [dev: 'H 6 * * 1-5', prod: 'H 6 * * *']

// A folder library (sandboxed, unlike a global one) pinned to LIBRARY_VERSION: a Jenkinsfile cannot ask
// for another version, and a merge to main runs no library code until the tag moves.
folder('lakepipe') {
    description('lakepipe delivery: the monorepo pipeline, plan-only service pipelines, nightly and drift jobs')
    properties {
        folderLibraries {
            libraries {
                libraryConfiguration {
                    name('lakepipe')
                    defaultVersion(LIBRARY_VERSION)
                    implicit(false)
                    allowVersionOverride(false)
                    includeInChangesets(false)
                    retriever {
                        modernSCM {
                            scm {
                                git {
                                    remote(REPO)
                                    credentialsId(CREDENTIALS)
                                }
                            }
                            libraryPath('jenkins/')
                        }
                    }
                }
            }
        }
    }
}

// A branch source on this repository; with `regions`, only commits touching those paths build
// (IncludeRegionByFieldBranchBuildStrategy, multibranch-build-strategy-extension plugin >= 2023).
Closure gitSource = { String sourceId, String regions ->
    return {
        branchSource {
            source {
                git {
                    id(sourceId)
                    remote(REPO)
                    credentialsId(CREDENTIALS)
                    traits {
                        gitBranchDiscovery()
                        // full history: deploy records and affected compare commits
                        cloneOptionTrait {
                            extension {
                                shallow(false)
                                noTags(true)
                                reference('')
                                timeout(20)
                            }
                        }
                    }
                }
            }
            if (regions) {
                buildStrategies {
                    includeRegionByFieldBranchBuildStrategy {
                        includedRegions(regions)
                    }
                }
            }
        }
    }
}

multibranchPipelineJob('lakepipe/lakepipe') {
    description('Verify what changed, plan and review the affected stacks; main applies dev, then prod after approval')
    branchSources(gitSource('lakepipe-root', null))
    factory {
        workflowBranchProjectFactory {
            scriptPath('Jenkinsfile')
        }
    }
    // a scan finds new branches and commits even when a webhook is missed
    triggers {
        periodicFolderTrigger {
            interval('15m')
        }
    }
    orphanedItemStrategy {
        discardOldItems {
            numToKeep(20)
        }
    }
}

SERVICES.each { String service ->
    multibranchPipelineJob("lakepipe/${service}") {
        description("${service} alone: verify, plan and review its stacks (it never applies)")
        branchSources(gitSource("lakepipe-${service}", "services/${service}/**"))
        factory {
            workflowBranchProjectFactory {
                scriptPath("services/${service}/Jenkinsfile")
            }
        }
        triggers {
            periodicFolderTrigger {
                interval('15m')
            }
        }
        orphanedItemStrategy {
            discardOldItems {
                numToKeep(10)
            }
        }
    }
}

// A pipeline job on main. Its cron is a job property set here, so it is registered when the seed runs
// (a `triggers` directive in a Jenkinsfile registers only after the job's first run).
Closure mainJob = { String name, String script, String schedule, String text ->
    pipelineJob(name) {
        description(text)
        if (schedule) {
            properties {
                pipelineTriggers {
                    triggers {
                        cron {
                            spec(schedule)
                        }
                    }
                }
            }
        }
        if (name.endsWith('-prod')) {
            // only prod approvers may start (or destroy in) prod by hand
            authorization {
                blocksInheritance()
                permissions('lakepipe-prod-approvers', ['hudson.model.Item.Build', 'hudson.model.Item.Cancel'])
                permissions('authenticated', ['hudson.model.Item.Read'])
            }
        }
        definition {
            cpsScm {
                scm {
                    git {
                        remote {
                            url(REPO)
                            credentials(CREDENTIALS)
                        }
                        branch('main')
                    }
                }
                scriptPath(script)
                lightweight(true)
            }
        }
    }
}

NIGHTLY.each { String envName, String schedule ->
    mainJob("lakepipe/ephemeral-${envName}", 'jenkins/ephemeral.Jenkinsfile', schedule,
            "Nightly in ${envName}: deploy the ephemeral stacks at the promoted commit, run, destroy")
}
DRIFT.each { String envName, String schedule ->
    mainJob("lakepipe/drift-${envName}", 'jenkins/drift.Jenkinsfile', schedule,
            "Drift check of ${envName}: plan -detailed-exitcode of every stack, drift to the error topic")
}
mainJob('lakepipe/provider-locks', 'jenkins/provider-locks.Jenkinsfile', null,
        'By hand: generate the provider lock files (needs the Terraform registry) for a reviewed commit')
