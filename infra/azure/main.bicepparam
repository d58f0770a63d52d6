// Parameters for main.bicep. Secrets come from the environment of the shell that deploys, never from this file:
//   export TAMTAM_TOKEN_KEY=$(openssl rand -base64 32)
//   export TAMTAM_TLS_CERT_PEM="$(cat tls.crt)" TAMTAM_TLS_KEY_PEM="$(cat tls.key)"   # optional
//   az deployment group create -g <group> -f main.bicep -p main.bicepparam
using 'main.bicep'

param namePrefix = 'tamtam'
param image = 'myregistry.azurecr.io/tamtam-cloud:0.1.0'
param registryName = 'myregistry'
param siloCount = 3
param siloCpu = '1.0'
param siloMemory = '2Gi'
param tokenKey = readEnvironmentVariable('TAMTAM_TOKEN_KEY')
param tlsCertificatePem = readEnvironmentVariable('TAMTAM_TLS_CERT_PEM', '')
param tlsPrivateKeyPem = readEnvironmentVariable('TAMTAM_TLS_KEY_PEM', '')
