import { FirmSection } from './options/FirmSection';
import { SourceRulesSection } from './options/SourceRulesSection';
import { TeamSection } from './options/TeamSection';
import { CommandsSection } from './options/CommandsSection';
import { ScriptsSection } from './options/ScriptsSection';
import { AutoTextSection } from './options/AutoTextSection';
import { CrmConnectionsSection } from './options/CrmConnectionsSection';
import { ProviderConnectionsSection } from './options/ProviderConnectionsSection';
import { CsvImportSection } from './options/CsvImportSection';
import { CustomAdapterSection } from './options/CustomAdapterSection';
import { SampleDataSection } from './options/SampleDataSection';
import { DockSitesSection } from './options/DockSitesSection';
import { EmailSection } from './options/EmailSection';
import { TextingSection } from './options/TextingSection';
import { SharedQueueSection } from './options/SharedQueueSection';
import { MetricsSection } from './options/MetricsSection';

/** Settings page: one section per concern, each owning its own form and validation. */
export function OptionsApp() {
  return (
    <main className="options">
      <h1>Callback Desk settings</h1>
      <FirmSection />
      <SourceRulesSection />
      <TeamSection />
      <ScriptsSection />
      <AutoTextSection />
      <EmailSection />
      <CrmConnectionsSection />
      <SharedQueueSection />
      <MetricsSection />
      <ProviderConnectionsSection />
      <TextingSection />
      <CsvImportSection />
      <CustomAdapterSection />
      <SampleDataSection />
      <DockSitesSection />
      <CommandsSection />
    </main>
  );
}
