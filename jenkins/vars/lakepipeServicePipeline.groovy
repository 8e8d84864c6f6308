// The pipeline every service's Jenkinsfile runs: verify the service, synth, then plan, review and
// apply the service's stacks (every environment, dev first, prod behind approval) - nothing else.

void call(Map config) {
    String project = config.project
    pipeline {
        agent { label 'lakepipe' }
        options {
            disableConcurrentBuilds()
            timestamps()
            buildDiscarder(logRotator(numToKeepStr: '30', artifactNumToKeepStr: '10'))
            timeout(time: 2, unit: 'HOURS')
        }
        parameters {
            string(name: 'ALLOW_DESTROY', defaultValue: '',
                   description: 'Addresses whose destroy or replace is intended (comma separated)')
        }
        environment {
            CI = 'true'
            LAKEPIPE_ALLOW_DESTROY = "${params.ALLOW_DESTROY}"
        }
        stages {
            stage('Install') {
                steps {
                    sh 'npm ci --no-audit --no-fund'
                }
            }
            stage('Verify') {
                steps {
                    lakepipeVerify(projects: project)
                }
            }
            stage('Synth') {
                steps {
                    sh "npm run synth -- --project ${project}"
                }
            }
            stage('Plan and deploy') {
                steps {
                    script {
                        List<Map> targets = lakepipeCi.targets(lakepipeCi.output("stacks --project ${project}"))
                        lakepipeDeploy(targets, [apply: env.BRANCH_NAME == 'main'])
                    }
                }
            }
        }
        post {
            always {
                archiveArtifacts artifacts: 'cdktf.out/reviews/**', allowEmptyArchive: true
            }
        }
    }
}
