// Job DSL (job-dsl plugin) seed for lakepipe's Jenkins jobs: run it from a seed job whose SCM is this
// repository. LAKEPIPE_REPO is the clone URL, LAKEPIPE_CREDENTIALS the Git credentials id (set on the seed job).
// See docs/delivery.md for the plugins and the AWS roles these jobs rely on.

String repo = binding.variables.LAKEPIPE_REPO ?: 'git@git.example.com:data-platform/lakepipe.git'
String credentials = binding.variables.LAKEPIPE_CREDENTIALS ?: 'lakepipe-git'
List<String> services = ['sourcing', 'spark-etl', 'sagemaker-scoring', 'view']

folder('lakepipe') {
    description('lakepipe delivery: the monorepo pipeline, one pipeline per service, ephemeral compute')
}

// A branch source on this repository; with `regions`, only commits touching those paths build
// (includeRegionBranchBuildStrategy: multibranch-build-strategy-extension plugin).
Closure gitSource = { String sourceId, String regions ->
    return {
        branchSource {
            source {
                git {
                    id(sourceId)
                    remote(repo)
                    credentialsId(credentials)
                    traits {
                        gitBranchDiscovery()
                    }
                }
            }
            if (regions) {
                buildStrategies {
                    includeRegionBranchBuildStrategy {
                        includedRegions(regions)
                    }
                }
            }
        }
    }
}

multibranchPipelineJob('lakepipe/lakepipe') {
    description('Verify what changed (nx affected), then plan, review and apply the affected stacks')
    branchSources(gitSource('lakepipe-root', null))
    factory {
        workflowBranchProjectFactory {
            scriptPath('Jenkinsfile')
        }
    }
    orphanedItemStrategy {
        discardOldItems {
            numToKeep(20)
        }
    }
}

services.each { String service ->
    multibranchPipelineJob("lakepipe/${service}") {
        description("${service} alone: verify, plan, review and apply its stacks")
        branchSources(gitSource("lakepipe-${service}", "services/${service}/**"))
        factory {
            workflowBranchProjectFactory {
                scriptPath("services/${service}/Jenkinsfile")
            }
        }
        orphanedItemStrategy {
            discardOldItems {
                numToKeep(10)
            }
        }
    }
}

pipelineJob('lakepipe/ephemeral') {
    description('Deploy the compute stacks, run the pipeline, destroy them (nightly, or one ACTION by hand)')
    definition {
        cpsScm {
            scm {
                git {
                    remote {
                        url(repo)
                        credentials(credentials)
                    }
                    branch('main')
                }
            }
            scriptPath('jenkins/ephemeral.Jenkinsfile')
            lightweight(true)
        }
    }
}
