// TamTam.Cloud on Azure Container Apps: a cluster of silos whose links, grain state and payloads live in one blob
// container and whose membership lives in an Azure Storage table, both reached with a user-assigned managed identity
// (no account key: shared-key access is off), token keys in Key Vault, logs in Log Analytics. Why Container Apps and
// not AKS, and every step around this template: docs/deploy.md.

@description('Where everything is created; the resource group\'s location by default.')
param location string = resourceGroup().location

@description('Prefix of the resource names (letters, digits and hyphens).')
@minLength(3)
@maxLength(16)
param namePrefix string = 'tamtam'

@description('The silo image docs/container.md builds, e.g. myregistry.azurecr.io/tamtam-cloud:0.1.0.')
param image string

@description('An Azure Container Registry in this resource group that holds the image: the silos pull with the managed identity, given AcrPull here. Empty for an image anyone may pull.')
param registryName string = ''

@description('Silos in the cluster: three or more, so that one can be lost or restarted while the others serve.')
@minValue(3)
@maxValue(30)
param siloCount int = 3

@description('Token signing key k1: standard base64 of at least 32 random bytes (docs/security.md). Stored in Key Vault.')
@secure()
@minLength(44)
param tokenKey string

@description('The server certificate, PEM; empty for no TLS (only behind something that adds it). Stored in Key Vault.')
@secure()
param tlsCertificatePem string = ''

@description('The certificate\'s private key, PEM, when tlsCertificatePem is set. Stored in Key Vault.')
@secure()
param tlsPrivateKeyPem string = ''

@description('CPU cores per silo (Consumption profile: 0.25 to 4, with memory at twice the cores in GiB).')
param siloCpu string = '1.0'

@description('Memory per silo, twice the cores: 2Gi for 1.0.')
param siloMemory string = '2Gi'

@description('Days Log Analytics keeps the silos\' logs.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

var suffix = uniqueString(resourceGroup().id, namePrefix)
var tlsEnabled = !empty(tlsCertificatePem)
var blobContainerName = 'tamtam'
var membershipTableName = 'OrleansSiloInstances'
var wirePort = 7420
var httpPort = 7480
var tlsDirectory = '/etc/tamtam/tls'
var probeScheme = tlsEnabled ? 'HTTPS' : 'HTTP'

// Built-in role definitions: what the silos' identity may do, and nothing more.
var roles = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${namePrefix}-logs-${suffix}'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
  }
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${namePrefix}-silo-${suffix}'
  location: location
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: take('${toLower(replace(namePrefix, '-', ''))}${suffix}', 24)
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_ZRS'
  }
  properties: {
    // Only Entra ID tokens: the silos authenticate with the managed identity, never with an account key.
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource blobContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: blobContainerName
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource membershipTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: membershipTableName
}

resource blobRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, identity.id, roles.storageBlobDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource tableRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, identity.id, roles.storageTableDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = if (!empty(registryName)) {
  name: registryName
}

resource registryRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(registryName)) {
  scope: registry
  name: guid(resourceId('Microsoft.ContainerRegistry/registries', registryName), identity.id, roles.acrPull)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: take('${namePrefix}kv${suffix}', 24)
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
  }
}

resource vaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource tokenKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'tamtam-token-key-k1'
  properties: {
    value: tokenKey
  }
}

resource tlsCertificateSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (tlsEnabled) {
  parent: vault
  name: 'tamtam-tls-crt'
  properties: {
    value: tlsCertificatePem
  }
}

resource tlsKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (tlsEnabled) {
  parent: vault
  name: 'tamtam-tls-key'
  properties: {
    value: tlsPrivateKeyPem
  }
}

// TCP ingress (the wire protocol) needs an environment in a virtual network.
resource network 'Microsoft.Network/virtualNetworks@2024-01-01' = {
  name: '${namePrefix}-net-${suffix}'
  location: location
  properties: {
    addressSpace: {
      addressPrefixes: [
        '10.42.0.0/16'
      ]
    }
    subnets: [
      {
        name: 'apps'
        properties: {
          addressPrefix: '10.42.0.0/23'
          delegations: [
            {
              name: 'containerApps'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
    ]
  }
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: '${namePrefix}-env-${suffix}'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
    vnetConfiguration: {
      infrastructureSubnetId: network.properties.subnets[0].id
      internal: false
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
  }
}

// The silo's settings (silo/README.md, "Configuration"): TamTam__A__B is the key TamTam:A:B. Storage and membership
// are reached by service URI with a token from DefaultAzureCredential, which picks the user-assigned identity named
// by AZURE_CLIENT_ID. Kubernetes hosting is off: Container Apps gives the silos no pod API.
var settings = [
  { name: 'TamTam__Listen__Address', value: 'any' }
  { name: 'TamTam__Tcp__Port', value: string(wirePort) }
  { name: 'TamTam__Http__Port', value: string(httpPort) }
  { name: 'TamTam__Storage__Backend', value: 'blob' }
  { name: 'TamTam__Storage__Blob__ServiceUri', value: storage.properties.primaryEndpoints.blob }
  { name: 'TamTam__Storage__Blob__ContainerName', value: blobContainerName }
  { name: 'TamTam__Cluster__Mode', value: 'azure-table' }
  { name: 'TamTam__Cluster__AzureTable__ServiceUri', value: storage.properties.primaryEndpoints.table }
  { name: 'TamTam__Cluster__AzureTable__TableName', value: membershipTableName }
  { name: 'TamTam__Cluster__ClusterId', value: namePrefix }
  { name: 'TamTam__Cluster__ServiceId', value: namePrefix }
  { name: 'TamTam__Cluster__Kubernetes', value: 'off' }
  { name: 'TamTam__Security__AllowAnonymous', value: 'false' }
  { name: 'TamTam__Security__Keys__k1', secretRef: 'token-key-k1' }
  { name: 'TamTam__Logging__Format', value: 'json' }
  { name: 'TamTam__Shutdown__Timeout', value: '00:00:25' }
  { name: 'TamTam__Shutdown__Delay', value: '00:00:06' }
  { name: 'TamTam__WarmUp__Messages', value: '200000' }
  { name: 'TamTam__WarmUp__Timeout', value: '00:00:30' }
  { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
]

var tlsSettings = [
  { name: 'TamTam__Tls__CertificatePath', value: '${tlsDirectory}/tls.crt' }
  { name: 'TamTam__Tls__KeyPath', value: '${tlsDirectory}/tls.key' }
]

var tokenSecrets = [
  { name: 'token-key-k1', keyVaultUrl: tokenKeySecret.properties.secretUri, identity: identity.id }
]

var tlsSecrets = tlsEnabled
  ? [
      { name: 'tls-crt', keyVaultUrl: tlsCertificateSecret!.properties.secretUri, identity: identity.id }
      { name: 'tls-key', keyVaultUrl: tlsKeySecret!.properties.secretUri, identity: identity.id }
    ]
  : []

resource silos 'Microsoft.App/containerApps@2024-03-01' = {
  name: '${namePrefix}-silo'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    environmentId: environment.id
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      secrets: concat(tokenSecrets, tlsSecrets)
      registries: empty(registryName)
        ? []
        : [
            {
              server: registry!.properties.loginServer
              identity: identity.id
            }
          ]
      ingress: {
        external: true
        transport: 'tcp'
        targetPort: wirePort
        exposedPort: wirePort
        // HTTP: WebSocket (/ws), health, /metrics and the dashboard; passed through as TCP, so TLS ends at the silo.
        additionalPortMappings: [
          {
            external: true
            targetPort: httpPort
            exposedPort: httpPort
          }
        ]
      }
    }
    template: {
      // TamTam:Shutdown:Timeout (25 s) bounds the drain; the platform kills the process 5 s after that.
      terminationGracePeriodSeconds: 30
      scale: {
        minReplicas: siloCount
        maxReplicas: siloCount
      }
      containers: [
        {
          name: 'silo'
          image: image
          resources: {
            cpu: json(siloCpu)
            memory: siloMemory
          }
          env: concat(settings, tlsEnabled ? tlsSettings : [])
          volumeMounts: tlsEnabled
            ? [
                {
                  volumeName: 'tls'
                  mountPath: tlsDirectory
                }
              ]
            : []
          probes: [
            {
              type: 'Startup'
              httpGet: {
                path: '/healthz/live'
                port: httpPort
                scheme: probeScheme
              }
              periodSeconds: 2
              failureThreshold: 30
            }
            {
              type: 'Liveness'
              httpGet: {
                path: '/healthz/live'
                port: httpPort
                scheme: probeScheme
              }
              periodSeconds: 10
              timeoutSeconds: 3
              failureThreshold: 3
            }
            {
              type: 'Readiness'
              httpGet: {
                path: '/healthz/ready'
                port: httpPort
                scheme: probeScheme
              }
              periodSeconds: 2
              timeoutSeconds: 2
              failureThreshold: 2
            }
          ]
        }
      ]
      volumes: tlsEnabled
        ? [
            {
              name: 'tls'
              storageType: 'Secret'
              secrets: [
                { secretRef: 'tls-crt', path: 'tls.crt' }
                { secretRef: 'tls-key', path: 'tls.key' }
              ]
            }
          ]
        : []
    }
  }
  dependsOn: [
    registryRole
    blobRole
    tableRole
    vaultRole
    blobContainer
    membershipTable
  ]
}

@description('Where clients connect: tamtam://<fqdn>:7420 (tamtams:// with TLS) and ws://<fqdn>:7480/ws (wss://).')
output fqdn string = silos.properties.configuration.ingress.fqdn

@description('The managed identity the silos run as.')
output identityPrincipalId string = identity.properties.principalId

@description('The client id DefaultAzureCredential uses (AZURE_CLIENT_ID).')
output identityClientId string = identity.properties.clientId

@description('The Key Vault with the token keys: add or rotate keys here (docs/deploy.md).')
output keyVaultName string = vault.name

@description('The storage account of the blob container and the membership table.')
output storageAccountName string = storage.name

@description('The Log Analytics workspace the silos log to.')
output logAnalyticsWorkspaceId string = logs.id
