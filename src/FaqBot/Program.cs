using FaqBot.Articles;
using FaqBot.Ask;
using FaqBot.Channels.BotConnector;
using FaqBot.Channels.DirectLine;
using FaqBot.Commands;
using FaqBot.Insights;
using FaqBot.Hosting;
using FaqBot.Site;
using FaqBot.Staff;

var command = CommandLine.Parse(args);
var builder = FaqBotHost.CreateBuilder(command is null ? args : [], forCommand: command is not null);
var root = builder.Environment.ContentRootPath;

builder.Services.AddProblemDetailsDialect();
builder.Services.AddKnowledge(builder.Configuration);
builder.Services.AddSafety(builder.Configuration);
builder.Services.AddStorage(builder.Configuration, root);
builder.Services.AddConversation(builder.Configuration);
builder.Services.AddDirectLine(builder.Configuration, root);
builder.Services.AddBotConnector(builder.Configuration);
builder.Services.AddFeedAcrossInstances(builder.Configuration);
builder.Services.AddStaff(builder.Configuration);
builder.Services.AddInsights(builder.Configuration);
builder.Services.AddPrivacy(builder.Configuration);
builder.Services.AddAnonymousRateLimits(builder.Configuration);
builder.Services.AddTransportSecurity(builder.Configuration);
builder.Services.AddSiteAssets();

var app = builder.Build();
if (command is not null)
{
    return await CommandRunner.RunAsync(app, command);
}

app.UseTransportSecurity();
app.UseProblemDetailsDialect();
app.UseDirectLineErrors();
app.UseRouting();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseWebSockets();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();

app.MapHealth();
app.MapAsk();
app.MapDirectLine();
app.MapBotConnector();
app.MapStaff();
app.MapInsights();
app.MapArticles();
app.MapSiteAssets();
app.LogAddressOnStart();

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
