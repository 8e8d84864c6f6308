// The pipeline every service's Jenkinsfile runs: verify the service, synth, then plan and review its
// stacks in every environment with the read-only planner role - on every branch, main included. It never
// applies: each stack has exactly one applying job, the monorepo pipeline on main (docs/delivery.md).

void call(Map config) {
    String project = config.project
    pipeline {
        agent { label 'lakepipe' }
        options {
            disableConcurrentBuilds()
            timestamps()
            ansiColor('xterm')
            buildDiscarder(logRotator(numToKeepStr: '30', artifactNumToKeepStr: '10'))
            timeout(time: 2, unit: 'HOURS')
        }
        environment {
            CI = 'true'
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
            stage('Plan') {
                steps {
                    script {
                        lakepipeDeploy.plan(lakepipeCi.targets(lakepipeCi.output("stacks --project ${project}")))
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
