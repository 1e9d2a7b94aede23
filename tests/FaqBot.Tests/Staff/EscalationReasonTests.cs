using FaqBot.Handoff;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Staff;

/// <summary>Escalation reasons come from appsettings.json, and a reason raised but not configured stops start-up.</summary>
public sealed class EscalationReasonTests
{
    [Fact]
    public async Task A_reason_priority_and_patient_text_come_from_configuration()
    {
        await using var server = new FaqBotServer(new Dictionary<string, string?>
        {
            ["Escalation:Reasons:booking:Priority"] = "77",
            ["Escalation:Reasons:booking:Label"] = "Appointments desk",
            ["Escalation:Reasons:booking:PatientText"] = "Our front desk handles bookings.",
        });
        using var staff = await SignedInAsync(server);
        var id = await StaffKit.StartAsync(server);

        await StaffKit.PatientSaysAsync(server, id, "I want to book an appointment");

        var state = (await StaffKit.StateAsync(server, id))!;
        Assert.Equal(("booking", 77), (state.Escalation!.Reason, state.Escalation.Priority));
        var item = Assert.Single(await staff.QueueAsync());
        Assert.Equal((77, "Appointments desk"), (item.Priority, item.ReasonLabel));
        Assert.Contains(await StaffKit.LogAsync(server, id), a => a.Text?.StartsWith("Our front desk handles bookings.", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void A_staff_only_code_in_phrases_yaml_without_a_configured_reason_fails_start_up()
    {
        var phrases = Path.Combine(TestPaths.TempRoot, $"{Guid.NewGuid():N}-phrases.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(phrases)!);
        var yaml = File.ReadAllText(Path.Combine(TestPaths.Root, "phrases.yaml"));
        Assert.Contains("\n    parking:\n", yaml, StringComparison.Ordinal);
        File.WriteAllText(phrases, yaml.Replace("\n    parking:\n", "\n    parking-permits:\n", StringComparison.Ordinal));

        var failure = Assert.ThrowsAny<Exception>(() => new FaqBotServer(new Dictionary<string, string?> { ["Conversation:PhrasesFile"] = phrases }));

        Assert.Contains("parking-permits", Flatten(failure), StringComparison.Ordinal);
    }

    [Fact]
    public void A_configured_reason_without_a_label_or_patient_text_fails_start_up()
    {
        var failure = Assert.ThrowsAny<Exception>(() => new FaqBotServer(new Dictionary<string, string?>
        {
            ["Escalation:Reasons:refunds:Priority"] = "10",
        }));

        Assert.Contains("Escalation:Reasons:refunds:Label", Flatten(failure), StringComparison.Ordinal);
    }

    private static string Flatten(Exception failure)
    {
        var text = "";
        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            text += e.Message + "\n";
            if (e is AggregateException aggregate)
            {
                text += string.Join("\n", aggregate.InnerExceptions.Select(i => i.Message));
            }
        }

        return text;
    }

    private static async Task<StaffClient> SignedInAsync(FaqBotServer server)
    {
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        return await StaffKit.SignInAsync(server, "sam@clinic.example");
    }
}
